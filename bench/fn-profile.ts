// `tsx bench/fn-profile.ts [--scenario fn-rest] [--duration 10] [--connections 50] [--top 30] [--out DIR]`:
// one function scenario under `node --cpu-prof` (bench/fn-run.ts's setup, one round), then where
// Sluice's CPU time went (bench/cpuprofile.ts). The .cpuprofile is kept in --out (default bench/results).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatSummary, summarize, type CpuProfile } from './cpuprofile.ts';
import { fnScenariosByNames } from './fn-config.ts';
import { functionsLines, runFunctions } from './fn-run.ts';
import { defaultGenerator } from './load.ts';
import { pinningAvailable, stopChildrenOnExit } from './proc.ts';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'fn-rest' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    top: { type: 'string', default: '30' },
    out: { type: 'string' },
  },
});
stopChildrenOnExit();
const scenarios = fnScenariosByNames([values.scenario!]);
if (scenarios.length !== 1) throw new Error(`--scenario: one of the fn-* scenarios, got "${values.scenario}"`);
const pinned = pinningAvailable(cpus().length);
const workDir = mkdtempSync(join(tmpdir(), 'sluice-fn-profile-'));
process.on('exit', () => rmSync(workDir, { recursive: true, force: true }));
const outDir = values.out ?? fileURLToPath(new URL('./results', import.meta.url));
const profDir = join(workDir, 'prof');
mkdirSync(profDir, { recursive: true });

let readyMs = 0;
const report = await runFunctions({
  scenarios,
  workDir,
  proxyCpus: pinned ? '0' : undefined,
  upstreamCpus: pinned ? '1' : undefined,
  load: { connections: Number(values.connections), durationSec: Number(values.duration), warmupSec: 1, cpus: pinned ? '1' : undefined, generator: defaultGenerator() },
  rounds: 1,
  log: (line) => void process.stderr.write(`${line}\n`),
  cpuProfDir: profDir,
  onReady: (ms) => void (readyMs = ms),
});
const prof = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
if (!prof) throw new Error('sluice wrote no .cpuprofile (did it exit cleanly on SIGTERM?)');
const text = readFileSync(join(profDir, prof), 'utf8');
mkdirSync(outDir, { recursive: true });
const kept = join(outDir, `sluice-${scenarios[0]!.name}.cpuprofile`);
writeFileSync(kept, text);
process.stdout.write(`${functionsLines(report).join('\n')}\n(under the profiler)\n`);
// leave out start-up, the check request and the warm-up second: only the measured window
process.stdout.write(`${formatSummary(summarize(JSON.parse(text) as CpuProfile, readyMs + 1500), Number(values.top))}\n\nprofile: ${kept}\n`);
