import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { DocReuse } from './src/sources/doc-reuse.ts';
import { DocCache } from './src/sources/doc-cache.ts';
import { FileMerge } from './src/sources/merge.ts';
const file = '/tmp/pc-scale-10000-all/apps/batch-00000.yaml';
const limits = { maxFileBytes: 1 << 30, maxDocuments: 10_000_000 };
const reuse = new DocReuse(); const cache = new DocCache(); const merge = new FileMerge();
const rel = 'apps/batch-00000.yaml';
let read = cache.take(rel, reuse.read({ abs: file, rel, size: 0 }, limits));
if (read.kind === 'parsed') merge.set(rel, read.parsed); merge.state();
const orig = readFileSync(file, 'utf8');
const s = new Session(); s.connect(); await s.post('Profiler.enable'); await s.post('Profiler.start');
for (let r = 0; r < 10; r++) {
  writeFileSync(file, orig.replace('app-05000.', `app-05000-e${r}.`));
  const w = performance.now();
  const raw = reuse.read({ abs: file, rel, size: 0, known: cache.known(rel) }, limits);
  const t1 = performance.now();
  read = cache.take(rel, raw);
  const t2 = performance.now();
  if (read.kind === 'parsed') merge.set(rel, read.parsed);
  const st = merge.state();
  console.log(`read ${(t1 - w).toFixed(1)} take ${(t2 - t1).toFixed(1)} merge ${(performance.now() - t2).toFixed(1)}`, st.changes?.upserted.length);
}
const { profile } = await s.post('Profiler.stop');
writeFileSync('/tmp/pc-edit.cpuprofile', JSON.stringify(profile));
writeFileSync(file, orig);
