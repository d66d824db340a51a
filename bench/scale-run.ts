// `npm run bench`'s scale section alone (no scenario table, no workers run), for looking at scale
// without a throughput contest around it. Prints the section's lines and its JSON.
//   node --import tsx bench/scale-run.ts [N=10000] [shapes=one,100,all] [durationSec=5]
// The gateways run with MALLOC_ARENA_MAX=2, as the image runs them (Dockerfile): glibc's default of
// up to 8 arenas per CPU held 10-30 MiB more after a load, varying from run to run. Set it in the
// environment to run otherwise (MALLOC_ARENA_MAX=0: glibc's default).
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, cpus as osCpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultGenerator } from './load.ts';
import { pinningAvailable, stopChildrenOnExit } from './proc.ts';
import { scaleLines } from './report.ts';
import { runScaleShapes, scaleShapesByNames } from './scale.ts';
import { defaultUpstreamKind, startUpstream } from './upstream.ts';

process.env.MALLOC_ARENA_MAX ??= '2';
const n = Number(process.argv[2] ?? 10_000);
const shapes = scaleShapesByNames((process.argv[3] ?? 'one,100,all').split(','));
const durationSec = Number(process.argv[4] ?? 5);
stopChildrenOnExit();
const pinned = pinningAvailable(osCpus().length);
const workDir = mkdtempSync(join(tmpdir(), 'sluice-scale-run-'));
process.on('exit', () => rmSync(workDir, { recursive: true, force: true }));
const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);
const upstream = await startUpstream(defaultUpstreamKind(), pinned ? '1' : undefined, workDir);
try {
  const load = { connections: 50, durationSec, warmupSec: 1, cpus: pinned ? ('1' as const) : undefined, generator: defaultGenerator() };
  const reports = await runScaleShapes(shapes, { ingresses: n, upstream, workDir, proxyCpus: pinned ? '0' : undefined, load, log, rounds: 1 });
  process.stdout.write(`MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} at the end\n${scaleLines(reports).join('\n')}\n\n${JSON.stringify(reports)}\n`);
} finally {
  await upstream.stop();
}
