// Profiles a cold start through `sluice serve` (spawn to /ready) on a scale config directory, then
// stops it: `node --import tsx bench/scale-cold-profile.ts DIR PROFILE_DIR [extra serve flags...]`,
// then `tsx bench/cpuprofile.ts PROFILE_DIR/*.cpuprofile` (the gateway's process writes it on exit).
import { startSluice } from './contenders/sluice.ts';
import { rssBytes } from './proc.ts';

const [dir, profDir, ...extraArgs] = process.argv.slice(2);
if (dir === undefined || profDir === undefined) throw new Error('usage: scale-cold-profile.ts DIR PROFILE_DIR [serve flags]');
const s = await startSluice({ configDir: dir, cpus: undefined, readyTimeoutMs: 600_000, cpuProfDir: profDir, extraArgs });
console.log(`ready after ${s.readyMs.toFixed(0)} ms, rss ${((rssBytes(s.pid, true) ?? 0) / 1048576).toFixed(0)} MiB`);
await s.stop();
