import { readFileSync, writeFileSync } from 'node:fs';
import { DocReuse } from './src/sources/doc-reuse.ts';
import { DocCache } from './src/sources/doc-cache.ts';
import { FileMerge } from './src/sources/merge.ts';
const file = '/tmp/pc-scale-10000-all/apps/batch-00000.yaml';
const limits = { maxFileBytes: 1 << 30, maxDocuments: 10_000_000 };
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const t = <T,>(label: string, fn: () => T): T => { const w = performance.now(), c = cpu(); const r = fn(); console.log(label, (performance.now() - w).toFixed(1), 'wall', (cpu() - c).toFixed(1), 'cpu'); return r; };
const reuse = new DocReuse(); const cache = new DocCache(); const merge = new FileMerge();
const rel = 'apps/batch-00000.yaml';
let read = cache.take(rel, reuse.read({ abs: file, rel, size: 0 }, limits));
if (read.kind === 'parsed') merge.set(rel, read.parsed); merge.state();
const orig = readFileSync(file, 'utf8');
for (let r = 0; r < 4; r++) {
  writeFileSync(file, orig.replace('app-05000.', `app-05000-e${r}.`));
  const known = t('known', () => cache.known(rel));
  const raw = t('reuse.read', () => reuse.read({ abs: file, rel, size: 0, known }, limits));
  read = t('take', () => cache.take(rel, raw));
  if (read.kind === 'parsed') { const p = read.parsed; t('merge.set', () => merge.set(rel, p)); }
  const st = t('state', () => merge.state());
  console.log(st.changes?.upserted.length, st.changes?.removed.length);
}
writeFileSync(file, orig);
