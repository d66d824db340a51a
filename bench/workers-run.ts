// Multi-core: `sluice serve --workers N` for N = 1 and 2 on the small GET, and the scaling between them.
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { writeScenarioConfig } from './ingress-gen.ts';
import { measure } from './load.ts';
import { startSluice } from './contenders/sluice.ts';
import { scenarioByName } from './scenarios.ts';
import type { WorkersReport } from './report.ts';
import type { LoadOptions, Upstream } from './types.ts';

export interface WorkersOptions {
  readonly upstream: Upstream;
  readonly workDir: string;
  /** CPU list for one worker; two workers get allCpus */
  readonly proxyCpus: string | undefined;
  readonly allCpus: string | undefined;
  readonly load: Omit<LoadOptions, 'url' | 'headers' | 'scenario' | 'workDir'>;
  readonly log: (line: string) => void;
}

export async function runWorkers(o: WorkersOptions): Promise<WorkersReport> {
  const dir = join(o.workDir, 'workers-config');
  mkdirSync(dir, { recursive: true });
  const host = writeScenarioConfig(dir, false, o.upstream.portA, o.upstream.portB);
  const small = scenarioByName('small');
  const runs: Array<{ workers: number; load: Awaited<ReturnType<typeof measure>> }> = [];
  for (const workers of [1, 2]) {
    o.log(`workers: ${workers}`);
    const s = await startSluice({ configDir: dir, cpus: workers === 1 ? o.proxyCpus : o.allCpus, workers, readyTimeoutMs: 60_000 });
    try {
      runs.push({ workers, load: await measure({ ...o.load, url: `http://127.0.0.1:${s.httpPort}/small`, headers: { host }, scenario: small, workDir: o.workDir }) });
    } finally {
      await s.stop();
    }
  }
  const [one, two] = runs;
  return {
    runs,
    scaling: one && two && one.load.rps > 0 ? two.load.rps / one.load.rps : null,
    note: o.proxyCpus === undefined ? 'not pinned' : `1 worker pinned to CPU ${o.proxyCpus}; 2 workers on CPUs ${o.allCpus}, sharing a core with the generator and upstream`,
  };
}
