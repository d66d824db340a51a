// `tsx bench/cpu-per-request.ts [--scenario h2] [--baseline DIR] [--rounds 3] [--duration 3]`: the gateway's
// CPU time per request (user + system, from /proc), this checkout against another one (DIR: a
// checkout with its node_modules), alternating, one process each, same upstream and load. On a
// machine other work keeps busy, req/s measures the machine; CPU per request still measures the
// gateway (a busy machine inflates both sides alike: cache misses, scheduling).
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startSluice } from './contenders/sluice.ts';
import { writeScenarioConfig } from './ingress-gen.ts';
import { defaultGenerator, measure } from './load.ts';
import { pinningAvailable, stopChildrenOnExit } from './proc.ts';
import { processCpuMs } from './proc-cpu.ts';
import { scenarioByName } from './scenarios.ts';
import { defaultUpstreamKind, startUpstream } from './upstream.ts';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'h2' },
    baseline: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
  },
});
stopChildrenOnExit();
const scenario = scenarioByName(values.scenario!);
const pinned = pinningAvailable(cpus().length);
const workDir = mkdtempSync(join(tmpdir(), 'sluice-cpr-'));
process.on('exit', () => rmSync(workDir, { recursive: true, force: true }));

const contenders: Array<{ name: string; bin: string | undefined }> = [{ name: 'this checkout', bin: undefined }];
if (values.baseline !== undefined) contenders.push({ name: values.baseline, bin: join(values.baseline, 'bin/sluice.js') });

const upstream = await startUpstream(defaultUpstreamKind(), pinned ? '1' : undefined, workDir);
const results = new Map<string, Array<{ usPerRequest: number; rps: number }>>();
try {
  const configDir = join(workDir, 'config');
  const host = writeScenarioConfig(configDir, scenario.split, upstream.portA, upstream.portB);
  const load = { headers: { host }, scenario, connections: Number(values.connections), cpus: pinned ? '1' : undefined, generator: defaultGenerator(), workDir } as const;
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const c of contenders) {
      const s = await startSluice({ configDir, cpus: pinned ? '0' : undefined, readyTimeoutMs: 60_000, bin: c.bin });
      try {
        const url = `http://127.0.0.1:${s.httpPort}${scenario.path}`;
        await measure({ ...load, url, durationSec: 1, warmupSec: 0 });
        const before = processCpuMs(s.pid);
        const r = await measure({ ...load, url, durationSec: Number(values.duration), warmupSec: 0 });
        const used = processCpuMs(s.pid) - before;
        const row = { usPerRequest: (used * 1000) / Math.max(1, r.requests), rps: r.rps };
        results.set(c.name, [...(results.get(c.name) ?? []), row]);
        process.stderr.write(`${scenario.name} / ${c.name}: ${row.usPerRequest.toFixed(1)} us CPU per request, ${Math.round(r.rps)} req/s\n`);
      } finally {
        await s.stop();
      }
    }
  }
} finally {
  await upstream.stop();
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const medians = contenders.map((c) => ({ name: c.name, us: median(results.get(c.name)!.map((r) => r.usPerRequest)) }));
for (const m of medians) process.stdout.write(`${scenario.name}: ${m.name}: median ${m.us.toFixed(1)} us CPU per request\n`);
if (medians.length === 2) process.stdout.write(`${scenario.name}: requests per CPU second, this checkout ÷ baseline: ${(medians[1]!.us / medians[0]!.us).toFixed(2)}x\n`);
