// Turns a V8 .cpuprofile (node --cpu-prof) into folded stacks, the input of flame graph tools
// (flamegraph.pl, speedscope, inferno): one line per distinct stack, `root;...;leaf microseconds`.
// Usage: node bench/fastpath/profile-folded.mjs FILE.cpuprofile [SKIP_MS] > FILE.folded
// SKIP_MS leaves out the first milliseconds (process start-up), as profile-top.mjs does.
import { readFileSync } from 'node:fs';

const [file, skipMs = '0'] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-folded.mjs FILE.cpuprofile [SKIP_MS]');
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((x) => [x.id, x]));
const parent = new Map();
for (const node of prof.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const frame = (node) => {
  const f = node.callFrame;
  const where = f.url ? ` ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}` : '';
  // `;` separates frames in the folded format.
  return `${f.functionName || '(anonymous)'}${where}`.replaceAll(';', ',');
};
const stacks = new Map();
const stackOf = new Map();
let t = prof.startTime;
const from = prof.startTime + Number(skipMs) * 1000;
for (let i = 0; i < prof.samples.length; i++) {
  const dt = prof.timeDeltas[i] ?? 0;
  t += dt;
  if (t < from) continue;
  const id = prof.samples[i];
  let stack = stackOf.get(id);
  if (stack === undefined) {
    const frames = [];
    for (let n = id; n !== undefined; n = parent.get(n)) {
      const node = byId.get(n);
      if (node.callFrame.functionName !== '(root)') frames.push(frame(node));
    }
    stackOf.set(id, (stack = frames.reverse().join(';')));
  }
  stacks.set(stack, (stacks.get(stack) ?? 0) + dt);
}
for (const [stack, us] of stacks) if (us > 0) console.log(`${stack} ${Math.round(us)}`);
