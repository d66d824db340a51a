// The largest objects of a heap snapshot (V8's large-object space holds those over ~128 KiB), each
// with the path of properties that holds it (first strong retainer, back to a root or a named class):
//   node --import tsx bench/heap-largest.ts FILE.heapsnapshot [count=30] [minKiB=64]
// Take the snapshot of a running gateway with `node --heapsnapshot-signal=SIGUSR1 bin/sluice.js serve …`.
import { readHeapSnapshot } from './heap-owners.ts';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: heap-largest.ts FILE.heapsnapshot [count] [minKiB]');
const count = Number(process.argv[3] ?? 30);
const minBytes = Number(process.argv[4] ?? 64) * 1024;
const g = await readHeapSnapshot(file);
const NF = g.nodeFields;
const EF = g.edgeFields;
const nodeCount = g.nodes.length / NF;
// node fields: type, name, id, self_size, edge_count, ...; edge fields: type, name_or_index, to_node
const retainer = new Int32Array(nodeCount).fill(-1);
const retainerEdge = new Int32Array(nodeCount).fill(-1);
const weak = g.edgeTypes.indexOf('weak');
const shortcut = g.edgeTypes.indexOf('shortcut');
for (let n = 0; n < nodeCount; n++) {
  const first = g.firstEdge[n]!;
  const edges = g.nodes[n * NF + 4]!;
  for (let e = 0; e < edges; e++) {
    const at = first + e * EF;
    const type = g.edges[at]!;
    if (type === weak || type === shortcut) continue;
    const to = g.edges[at + 2]! / NF;
    if (retainer[to] === -1) {
      retainer[to] = n;
      retainerEdge[to] = at;
    }
  }
}
const name = (n: number): string => `${g.nodeTypes[g.nodes[n * NF]!]}:${(g.strings[g.nodes[n * NF + 1]!] ?? '').slice(0, 40)}`;
const edgeName = (at: number): string => {
  const type = g.edgeTypes[g.edges[at]!];
  const v = g.edges[at + 1]!;
  return type === 'element' || type === 'hidden' ? `[${v}]` : `.${g.strings[v] ?? v}`;
};
const big: number[] = [];
for (let n = 0; n < nodeCount; n++) if (g.nodes[n * NF + 3]! >= minBytes) big.push(n);
big.sort((a, b) => g.nodes[b * NF + 3]! - g.nodes[a * NF + 3]!);
let total = 0;
for (const n of big) total += g.nodes[n * NF + 3]!;
console.log(`${big.length} objects of ${minBytes / 1024} KiB or more: ${(total / 1048576).toFixed(1)} MiB`);
for (const n of big.slice(0, count)) {
  const path: string[] = [];
  let at = n;
  for (let depth = 0; depth < 12 && retainer[at] !== -1; depth++) {
    path.unshift(`${edgeName(retainerEdge[at]!)}`);
    at = retainer[at]!;
    const t = g.nodeTypes[g.nodes[at * NF]!];
    if (t === 'object' && depth > 0 && !/^(Object|Array|Map|Set|system \/ Context)$/.test(g.strings[g.nodes[at * NF + 1]!] ?? '')) break;
  }
  console.log(`${(g.nodes[n * NF + 3]! / 1024).toFixed(0).padStart(7)} KiB ${name(n)}  <- ${name(at)}${path.join('')}`);
}
