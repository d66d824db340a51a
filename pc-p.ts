import { readFileSync, writeFileSync } from 'node:fs';
import { ConfigDir } from './src/sources/config-dir.ts';
import { DocReuse } from './src/sources/doc-reuse.ts';
import { InlineParser } from './src/sources/file-parser.ts';
import { splitDocuments } from './src/sources/yaml-split.ts';
const dir = '/tmp/pc-scale-10000-all';
const file = `${dir}/apps/batch-00000.yaml`;
const limits = { maxFileBytes: 1 << 30, maxDocuments: 10_000_000 };
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const t = (label: string, fn: () => unknown) => { const w = performance.now(), c = cpu(); const r = fn(); console.log(label, (performance.now() - w).toFixed(1), 'wall', (cpu() - c).toFixed(1), 'cpu'); return r; };
const buf = t('read', () => readFileSync(file)) as Buffer;
t('split', () => splitDocuments(buf));
t('split', () => splitDocuments(buf));
const b2 = Buffer.from(buf);
t('compare whole', () => buf.compare(b2));
const config = new ConfigDir(dir, { limits, parser: new InlineParser(limits, new DocReuse()) });
await config.scan('');
config.state();
const orig = readFileSync(file, 'utf8');
for (let r = 0; r < 3; r++) {
  writeFileSync(file, orig.replace('app-05000.', `app-05000-e${r}.`));
  const w = performance.now(), c = cpu();
  await config.recheck('apps/batch-00000.yaml');
  console.log('recheck', (performance.now() - w).toFixed(1), 'wall', (cpu() - c).toFixed(1), 'cpu');
  t('state', () => config.state());
}
writeFileSync(file, orig);
