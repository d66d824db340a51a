// What holds a V8 heap, by owner: reads a .heapsnapshot (streamed: at 10,000 apps it is larger than
// one JS string may be) and walks the object graph from named owner objects in a given order, each
// object counted once, for the first owner that reaches it (so an owner's figure is what it holds
// beyond the owners before it). Within an owner, an object is put in the part named by the property
// it was reached through (`request` -> header edits), else in its parent's part. Strings with the
// same text held more than once are counted over the whole heap. Used by bench/scale-heap.ts.
import { createReadStream } from 'node:fs';

export interface HeapGraph {
  readonly nodeFields: number;
  readonly edgeFields: number;
  readonly nodes: Uint32Array;
  readonly edges: Uint32Array;
  readonly strings: readonly string[];
  readonly nodeTypes: readonly string[];
  readonly edgeTypes: readonly string[];
  /** index into `edges` of each node's first edge */
  readonly firstEdge: Uint32Array;
}

interface Meta {
  snapshot: { meta: { node_fields: string[]; edge_fields: string[]; node_types: [string[]]; edge_types: [string[]] }; node_count: number; edge_count: number };
}

/** Reads a heap snapshot file into typed arrays (nodes, edges) and its string table. */
export async function readHeapSnapshot(file: string): Promise<HeapGraph> {
  let phase: 'meta' | 'nodes' | 'gap1' | 'edges' | 'gap2' | 'strings' = 'meta';
  let text = '';
  let meta: Meta | undefined;
  let nodes = new Uint32Array(0);
  let edges = new Uint32Array(0);
  let at = 0;
  let num = -1;
  const stringParts: string[] = [];
  const numbers = (chunk: string, from: number, into: Uint32Array): number => {
    for (let i = from; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c >= 48 && c <= 57) num = (num < 0 ? 0 : num * 10) + (c - 48);
      else {
        if (num >= 0) into[at++] = num;
        num = -1;
        if (c === 93 /* ] */) return i + 1;
      }
    }
    return -1;
  };
  for await (const piece of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 22 })) {
    let chunk = piece as string;
    while (chunk.length > 0) {
      if (phase === 'meta' || phase === 'gap1' || phase === 'gap2') {
        text += chunk;
        chunk = '';
        const marker = phase === 'meta' ? '"nodes":[' : phase === 'gap1' ? '"edges":[' : '"strings":[';
        const k = text.indexOf(marker);
        if (k < 0) {
          if (phase !== 'meta') text = text.slice(-16);
          continue;
        }
        if (phase === 'meta') {
          meta = JSON.parse(`${text.slice(0, k).replace(/,\s*$/, '')}}`) as Meta;
          nodes = new Uint32Array(meta.snapshot.node_count * meta.snapshot.meta.node_fields.length);
          edges = new Uint32Array(meta.snapshot.edge_count * meta.snapshot.meta.edge_fields.length);
        }
        chunk = text.slice(k + marker.length);
        text = '';
        phase = phase === 'meta' ? 'nodes' : phase === 'gap1' ? 'edges' : 'strings';
        at = 0;
        num = -1;
      } else if (phase === 'nodes' || phase === 'edges') {
        const end = numbers(chunk, 0, phase === 'nodes' ? nodes : edges);
        if (end < 0) chunk = '';
        else {
          chunk = chunk.slice(end);
          phase = phase === 'nodes' ? 'gap1' : 'gap2';
        }
      } else {
        stringParts.push(chunk);
        chunk = '';
      }
    }
  }
  if (meta === undefined) throw new Error(`${file}: not a heap snapshot`);
  const all = stringParts.join('');
  const strings = JSON.parse(`[${all.slice(0, all.lastIndexOf(']'))}]`) as string[];
  const m = meta.snapshot.meta;
  const nodeFields = m.node_fields.length;
  const edgeFields = m.edge_fields.length;
  const firstEdge = new Uint32Array(nodes.length / nodeFields + 1);
  const edgeCountAt = m.node_fields.indexOf('edge_count');
  for (let n = 0, e = 0; n < nodes.length / nodeFields; n++) {
    firstEdge[n] = e;
    e += (nodes[n * nodeFields + edgeCountAt] as number) * edgeFields;
    firstEdge[n + 1] = e;
  }
  return { nodeFields, edgeFields, nodes, edges, strings, nodeTypes: m.node_types[0], edgeTypes: m.edge_types[0], firstEdge };
}

export interface OwnerPart {
  owner: string;
  part: string;
  bytes: number;
  objects: number;
  /** bytes by node kind (`object Object`, `array`, `string`, `hidden system / PropertyArray`, ...) */
  kinds: Map<string, number>;
}

/**
 * Bytes (self sizes) held by each owner and part. `holder` is the name of the class whose one
 * instance has the owners as properties, in order of precedence; `parts[owner]` names a part by
 * the property an object is reached through. Edges named in `stop` are not followed (an owner's
 * callbacks or shared client, through which it would reach the owners after it).
 */
export function ownersOf(g: HeapGraph, holder: string, order: readonly string[], parts: Readonly<Record<string, Readonly<Record<string, string>>>>, stop: ReadonlySet<string> = new Set()): OwnerPart[] {
  const NAME = 1;
  const SELF = 3;
  const TYPE = 0;
  const count = g.nodes.length / g.nodeFields;
  const name = (n: number): string => g.strings[g.nodes[n * g.nodeFields + NAME] as number] as string;
  const type = (n: number): string => g.nodeTypes[g.nodes[n * g.nodeFields + TYPE] as number] as string;
  let holderNode = -1;
  for (let n = 0; n < count && holderNode < 0; n++) if (type(n) === 'object' && name(n) === holder) holderNode = n;
  if (holderNode < 0) throw new Error(`no ${holder} object in the snapshot`);
  const edgeName = (e: number): string => {
    const t = g.edgeTypes[g.edges[e] as number];
    return t === 'element' || t === 'hidden' ? '' : (g.strings[g.edges[e + 1] as number] as string);
  };
  const ownerNode = new Map<string, number>();
  for (let e = g.firstEdge[holderNode] as number; e < (g.firstEdge[holderNode + 1] as number); e += g.edgeFields) ownerNode.set(edgeName(e), (g.edges[e + 2] as number) / g.nodeFields);
  // Per node: 0 unvisited, else 1 + index into `keys` of its owner/part.
  const mark = new Uint32Array(count);
  const keys: string[] = [];
  const totals = new Map<string, OwnerPart>();
  const keyOf = (owner: string, part: string): number => {
    const k = `${owner}\u0000${part}`;
    let i = keys.indexOf(k);
    if (i < 0) {
      keys.push(k);
      totals.set(k, { owner, part, bytes: 0, objects: 0, kinds: new Map() });
      i = keys.length - 1;
    }
    return i + 1;
  };
  // Edges not followed: weak ones, and the ways out of an object into shared machinery (code, a
  // closure's enclosing contexts, the native context), which belong to no route; and a WeakMap's
  // key-to-value edges (a compiled route list belongs to the router that holds it, not to its key).
  const skip = new Set(['previous', 'native_context', 'global_proxy', 'code', 'shared', 'feedback_cell', 'map', '__proto__', 'prototype', 'constructor']);
  const visit = (start: number, owner: string): void => {
    mark[holderNode] = mark[holderNode] || keyOf('(bench)', '');
    const stack = [start, keyOf(owner, '(root)')];
    while (stack.length > 0) {
      const k = stack.pop() as number;
      const n = stack.pop() as number;
      if (mark[n] !== 0) continue;
      mark[n] = k;
      const t = totals.get(keys[k - 1] as string) as OwnerPart;
      const self = g.nodes[n * g.nodeFields + SELF] as number;
      t.bytes += self;
      t.objects++;
      const kind = type(n) === 'object' || type(n) === 'hidden' || type(n) === 'native' ? `${type(n)} ${name(n)}` : type(n);
      t.kinds.set(kind, (t.kinds.get(kind) ?? 0) + self);
      for (let e = g.firstEdge[n] as number; e < (g.firstEdge[n + 1] as number); e += g.edgeFields) {
        const et = g.edgeTypes[g.edges[e] as number];
        if (et === 'weak' || et === 'shortcut') continue;
        const to = (g.edges[e + 2] as number) / g.nodeFields;
        if (mark[to] !== 0) continue;
        const en = edgeName(e);
        if (skip.has(en) || stop.has(en) || en.includes(' / part of key') || type(to) === 'code' || name(to) === 'system / NativeContext') continue;
        const part = parts[owner]?.[en];
        stack.push(to, part === undefined ? k : keyOf(owner, part));
      }
    }
  };
  for (const owner of order) {
    const n = ownerNode.get(owner);
    if (n !== undefined) visit(n, owner);
  }
  visit(0, '(rest of the heap)');
  return [...totals.values()].sort((a, b) => (a.owner === b.owner ? b.bytes - a.bytes : order.indexOf(a.owner) - order.indexOf(b.owner)));
}

export interface DuplicateStrings {
  /** bytes of every copy but one of each text held more than once */
  readonly excess: number;
  readonly top: readonly { text: string; copies: number; bytes: number }[];
}

/** Strings with the same text held as several heap objects (flat strings only). */
export function duplicateStrings(g: HeapGraph, topN = 10): DuplicateStrings {
  const byText = new Map<string, { copies: number; bytes: number }>();
  const count = g.nodes.length / g.nodeFields;
  const stringType = g.nodeTypes.indexOf('string');
  for (let n = 0; n < count; n++) {
    if (g.nodes[n * g.nodeFields] !== stringType) continue;
    const text = g.strings[g.nodes[n * g.nodeFields + 1] as number] as string;
    const size = g.nodes[n * g.nodeFields + 3] as number;
    const d = byText.get(text);
    if (d === undefined) byText.set(text, { copies: 1, bytes: size });
    else {
      d.copies++;
      d.bytes += size;
    }
  }
  let excess = 0;
  const dups: { text: string; copies: number; bytes: number }[] = [];
  for (const [text, d] of byText) {
    if (d.copies < 2) continue;
    excess += d.bytes - d.bytes / d.copies;
    dups.push({ text: text.length > 60 ? `${text.slice(0, 57)}...` : text, ...d });
  }
  dups.sort((a, b) => b.bytes - a.bytes);
  return { excess, top: dups.slice(0, topN) };
}
