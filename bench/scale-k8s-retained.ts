// What a heap snapshot's memory is kept alive by, as retained sizes (V8's dominator tree, as DevTools
// computes it): each object's own bytes are put on its nearest dominator that is an instance of a named
// class (not Object, Array, Map, closures, V8's internals), under the property that class reaches it by,
// so `KubernetesSource.#ingresses` is everything only the ingress cache keeps. Two snapshots (a
// Kubernetes-mode gateway's and a file-mode gateway's of the same apps) are compared row by row.
//   node --max-old-space-size=6000 --import tsx bench/scale-k8s-retained.ts A.heapsnapshot [B.heapsnapshot] [rows=40]
// Take a gateway's snapshot with `node --heapsnapshot-signal=SIGUSR2` (bench/scale-k8s.ts --heap DIR does).
import { readHeapSnapshot, type HeapGraph } from './heap-owners.ts';

const GENERIC = /^(Object|Array|Map|Set|WeakMap|WeakRef|Promise|system \/ .*|\(.*\)|)$/;

/** Immediate dominators (Cooper, Harvey and Kennedy's iterative algorithm over a reverse postorder); weak edges left out. */
function dominators(g: HeapGraph): { idom: Int32Array; order: Int32Array } {
  const count = g.nodes.length / g.nodeFields;
  const weak = g.edgeTypes.indexOf('weak');
  const shortcut = g.edgeTypes.indexOf('shortcut');
  const strong = (e: number): boolean => g.edges[e] !== weak && g.edges[e] !== shortcut;
  // Postorder by an explicit stack (millions of nodes).
  const post = new Int32Array(count).fill(-1);
  const order = new Int32Array(count);
  const visited = new Uint8Array(count);
  const stack = new Int32Array(count * 2);
  let top = 0;
  let n = 0;
  stack[top++] = 0;
  stack[top++] = g.firstEdge[0]!;
  visited[0] = 1;
  while (top > 0) {
    const node = stack[top - 2]!;
    const e = stack[top - 1]!;
    if (e < g.firstEdge[node + 1]!) {
      stack[top - 1] = e + g.edgeFields;
      const to = g.edges[e + 2]! / g.nodeFields;
      if (strong(e) && visited[to] === 0) {
        visited[to] = 1;
        stack[top++] = to;
        stack[top++] = g.firstEdge[to]!;
      }
    } else {
      top -= 2;
      post[node] = n;
      order[n++] = node;
    }
  }
  // Predecessors (strong edges from reached nodes), as CSR.
  const predCount = new Uint32Array(count + 1);
  for (let from = 0; from < count; from++) {
    if (visited[from] === 0) continue;
    for (let e = g.firstEdge[from]!; e < g.firstEdge[from + 1]!; e += g.edgeFields) if (strong(e)) predCount[g.edges[e + 2]! / g.nodeFields + 1]!++;
  }
  for (let i = 0; i < count; i++) predCount[i + 1]! += predCount[i]!;
  const preds = new Int32Array(predCount[count]!);
  const fill = predCount.slice(0, count);
  for (let from = 0; from < count; from++) {
    if (visited[from] === 0) continue;
    for (let e = g.firstEdge[from]!; e < g.firstEdge[from + 1]!; e += g.edgeFields) if (strong(e)) preds[fill[g.edges[e + 2]! / g.nodeFields]!++] = from;
  }
  // idom by postorder number
  const idom = new Int32Array(n).fill(-1);
  const root = post[0]!;
  idom[root] = root;
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while (a < b) a = idom[a]!;
      while (b < a) b = idom[b]!;
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = n - 2; i >= 0; i--) {
      const node = order[i]!;
      let d = -1;
      for (let p = predCount[node]!; p < predCount[node + 1]!; p++) {
        const q = post[preds[p]!]!;
        if (q < 0 || idom[q] === -1) continue;
        d = d === -1 ? q : intersect(q, d);
      }
      if (d !== -1 && idom[i] !== d) {
        idom[i] = d;
        changed = true;
      }
    }
  }
  // back to node indices
  const out = new Int32Array(count).fill(-1);
  for (let i = 0; i < n; i++) out[order[i]!] = order[idom[i]!]!;
  return { idom: out, order: order.slice(0, n) };
}

/** For each node, `Class.field` of the nearest named-class object on its breadth-first path from the root. */
function bfsOwners(g: HeapGraph, named: (x: number) => boolean, viaName: (from: number, to: number) => string | undefined): Array<string | undefined> {
  const count = g.nodes.length / g.nodeFields;
  const weak = g.edgeTypes.indexOf('weak');
  const shortcut = g.edgeTypes.indexOf('shortcut');
  const owner = new Array<string | undefined>(count);
  const seen = new Uint8Array(count);
  const queue = new Int32Array(count);
  let head = 0;
  let tail = 0;
  queue[tail++] = 0;
  seen[0] = 1;
  while (head < tail) {
    const from = queue[head++]!;
    for (let e = g.firstEdge[from]!; e < g.firstEdge[from + 1]!; e += g.edgeFields) {
      if (g.edges[e] === weak || g.edges[e] === shortcut) continue;
      const to = g.edges[e + 2]! / g.nodeFields;
      if (seen[to] !== 0) continue;
      seen[to] = 1;
      queue[tail++] = to;
      owner[to] = named(from) ? `${g.strings[g.nodes[from * g.nodeFields + 1]!]}.${viaName(from, to) ?? '?'}` : owner[from];
    }
  }
  return owner;
}

/** `--detail OWNER`: that owner's bytes by object kind, printed after the table */
const detailAt = process.argv.indexOf('--detail');
const detail = detailAt > 0 ? process.argv.splice(detailAt, 2)[1] : undefined;
const details = new Map<string, { bytes: number; objects: number }>();

interface Row {
  bytes: number;
  objects: number;
}

/** Self bytes by owner: `Class.field` of the nearest named-class dominator (and the dominator-tree edge out of it). */
function owners(g: HeapGraph): { rows: Map<string, Row>; total: number } {
  const { idom, order } = dominators(g);
  const count = g.nodes.length / g.nodeFields;
  const name = (x: number): string => g.strings[g.nodes[x * g.nodeFields + 1]!] ?? '';
  const type = (x: number): string => g.nodeTypes[g.nodes[x * g.nodeFields]!]!;
  const named = (x: number): boolean => type(x) === 'object' && !GENERIC.test(name(x));
  // the edge name by which each node's dominator (or the first strong retainer below it) reaches it
  const viaName = (from: number, to: number): string | undefined => {
    for (let e = g.firstEdge[from]!; e < g.firstEdge[from + 1]!; e += g.edgeFields) {
      if (g.edges[e + 2]! / g.nodeFields !== to) continue;
      const t = g.edgeTypes[g.edges[e]!];
      return t === 'element' || t === 'hidden' ? '[]' : String(g.strings[g.edges[e + 1]!] ?? g.edges[e + 1]);
    }
    return undefined;
  };
  // Objects held by several owners are dominated by the root alone: those are put on the nearest named
  // class on their shortest path from the roots (breadth first, as DevTools' distance), with the edge out of it.
  const shared = bfsOwners(g, named, viaName);
  // owner label per node, top-down (order is a postorder: reversed, dominators come first)
  const label = new Array<string | undefined>(count);
  const labels = new Map<string, Row>();
  let total = 0;
  for (let i = order.length - 1; i >= 0; i--) {
    const x = order[i]!;
    const d = idom[x]!;
    let l: string;
    if (x === 0) l = '(root)';
    else if (d === 0) l = `(shared) ${shared[x] ?? `${type(x)} ${name(x).slice(0, 40)}`}`;
    else if (named(d)) l = `${name(d)}.${viaName(d, x) ?? '?'}`;
    else l = label[d]!;
    label[x] = l;
    const self = g.nodes[x * g.nodeFields + 3]!;
    total += self;
    if (detail !== undefined && l === detail) {
      const k = `${type(x)} ${name(x).slice(0, 50)}`;
      const dr = details.get(k) ?? { bytes: 0, objects: 0 };
      dr.bytes += self;
      dr.objects++;
      details.set(k, dr);
    }
    const r = labels.get(l) ?? { bytes: 0, objects: 0 };
    r.bytes += self;
    r.objects++;
    labels.set(l, r);
  }
  return { rows: labels, total };
}

const mib = (b: number): string => (b / 1048576).toFixed(1);
const printDetails = (): void => {
  for (const [k, r] of [...details].sort((x, y) => y[1].bytes - x[1].bytes).slice(0, 25)) console.log(`  ${detail}: ${k} ${mib(r.bytes)} MiB, ${r.objects} objects`);
  details.clear();
};
const [a, b] = process.argv.slice(2).filter((x) => x.endsWith('.heapsnapshot'));
const rowsWanted = Number(process.argv.slice(2).find((x) => /^\d+$/.test(x)) ?? 40);
if (a === undefined) throw new Error('usage: scale-k8s-retained.ts A.heapsnapshot [B.heapsnapshot] [rows]');
const ra = owners(await readHeapSnapshot(a));
printDetails();
const rb = b === undefined ? undefined : owners(await readHeapSnapshot(b));
printDetails();
console.log(`heap in A: ${mib(ra.total)} MiB${rb ? `, in B: ${mib(rb.total)} MiB` : ''}`);
const keys = new Set([...ra.rows.keys(), ...(rb?.rows.keys() ?? [])]);
const sorted = [...keys].sort((x, y) => Math.max(ra.rows.get(y)?.bytes ?? 0, rb?.rows.get(y)?.bytes ?? 0) - Math.max(ra.rows.get(x)?.bytes ?? 0, rb?.rows.get(x)?.bytes ?? 0));
console.log(`| owner | A MiB | A objects |${rb ? ' B MiB | B objects |' : ''}\n|---|---:|---:|${rb ? '---:|---:|' : ''}`);
for (const k of sorted.slice(0, rowsWanted)) {
  const x = ra.rows.get(k);
  const y = rb?.rows.get(k);
  console.log(`| ${k} | ${mib(x?.bytes ?? 0)} | ${x?.objects ?? 0} |${rb ? ` ${mib(y?.bytes ?? 0)} | ${y?.objects ?? 0} |` : ''}`);
}
