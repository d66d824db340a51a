// Prints the functions with the most self time in a V8 .cpuprofile (node --cpu-prof output).
// Usage: node bench/fastpath/profile-top.mjs FILE.cpuprofile [N] [SKIP_MS]
// SKIP_MS leaves out the first milliseconds (process start-up: module compilation, config load).
import { readFileSync } from 'node:fs';

const [file, n = '25', skipMs = '0'] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((x) => [x.id, x]));
const self = new Map();
const dt = prof.timeDeltas;
let t = prof.startTime;
const from = prof.startTime + Number(skipMs) * 1000;
for (let i = 0; i < prof.samples.length; i++) {
  t += dt[i] ?? 0;
  if (t < from) continue;
  const node = byId.get(prof.samples[i]);
  const f = node.callFrame;
  const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) {
  console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
}
