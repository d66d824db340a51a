// ad-hoc: run one contender/scenario and print wrk result
import { mkdtempSync } from 'node:fs';
import { startUpstream } from '../upstream.ts';
import { measure } from '../load.ts';
import { scenarioByName } from '../scenarios.ts';
import { contenderByName } from '../contenders/index.ts';
import { stopChildrenOnExit } from '../proc.ts';
stopChildrenOnExit();
const [cn, sn, dur = '2', gen = 'wrk', upk = 'nginx'] = process.argv.slice(2);
const d = mkdtempSync('/tmp/bone-');
const u = await startUpstream(upk as 'nginx', '1', d);
const s = scenarioByName(sn!);
const r = await contenderByName(cn!).start(u, s, { cpus: '0', workDir: d });
console.log(r.url); const res = await measure({ url: r.url, headers: r.headers, scenario: s, connections: 50, durationSec: Number(dur), warmupSec: 1, cpus: '1', generator: gen as 'wrk', workDir: d }); console.log(JSON.stringify(res));
if (process.env.KEEP) { console.log(d); await new Promise(r => setTimeout(r, 1000000)); }
await r.stop(); await u.stop();
