// Multi-core: `sluice serve --workers N` for N = 1 and 2 on the small GET, next to nginx with N
// worker processes on the same CPUs and load, and the scaling of each. Runs alternate between the
// two, best of `rounds` kept, so a slow spell of the machine hits both alike.
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { writeScenarioConfig } from './ingress-gen.ts';
import { measure } from './load.ts';
import { startSluice } from './contenders/sluice.ts';
import { startNginxProxy } from './contenders/nginx.ts';
import { which } from './proc.ts';
import { scenarioByName } from './scenarios.ts';
import type { WorkersReport, WorkersRun } from './report.ts';
import type { LoadOptions, LoadResult, Upstream } from './types.ts';

export interface WorkersOptions {
  readonly upstream: Upstream;
  readonly workDir: string;
  /** CPU list for one worker; two workers get allCpus */
  readonly proxyCpus: string | undefined;
  readonly allCpus: string | undefined;
  readonly load: Omit<LoadOptions, 'url' | 'headers' | 'scenario' | 'workDir'>;
  readonly rounds: number;
  readonly log: (line: string) => void;
}

const WORKER_COUNTS = [1, 2] as const;

export async function runWorkers(o: WorkersOptions): Promise<WorkersReport> {
  const dir = join(o.workDir, 'workers-config');
  mkdirSync(dir, { recursive: true });
  const host = writeScenarioConfig(dir, false, o.upstream.portA, o.upstream.portB);
  const small = scenarioByName('small');
  const withNginx = which('nginx') !== undefined;
  const sluice = new Map<number, LoadResult>();
  const nginx = new Map<number, LoadResult>();
  const keep = (m: Map<number, LoadResult>, workers: number, r: LoadResult): void => {
    const prev = m.get(workers);
    if (prev === undefined || r.rps > prev.rps) m.set(workers, r);
  };
  for (let round = 0; round < o.rounds; round++) {
    for (const workers of WORKER_COUNTS) {
      const cpus = workers === 1 ? o.proxyCpus : o.allCpus;
      o.log(`workers: sluice ${workers}`);
      const s = await startSluice({ configDir: dir, cpus, workers, readyTimeoutMs: 60_000 });
      try {
        keep(sluice, workers, await measure({ ...o.load, url: `http://127.0.0.1:${s.httpPort}/small`, headers: { host }, scenario: small, workDir: o.workDir }));
      } finally {
        await s.stop();
      }
      if (!withNginx) continue;
      o.log(`workers: nginx ${workers}`);
      const n = await startNginxProxy(o.upstream, small, { cpus, workDir: o.workDir }, workers);
      try {
        keep(nginx, workers, await measure({ ...o.load, url: n.url, headers: n.headers, scenario: small, workDir: o.workDir }));
      } finally {
        await n.stop();
      }
    }
  }
  const runs = (m: Map<number, LoadResult>): WorkersRun[] => WORKER_COUNTS.flatMap((workers) => (m.has(workers) ? [{ workers, load: m.get(workers)! }] : []));
  return {
    runs: runs(sluice),
    nginx: runs(nginx),
    scaling: scaling(sluice),
    nginxScaling: scaling(nginx),
    note: o.proxyCpus === undefined ? 'not pinned' : `1 worker pinned to CPU ${o.proxyCpus}; 2 workers on CPUs ${o.allCpus}, sharing a core with the generator and upstream`,
  };
}

function scaling(m: ReadonlyMap<number, LoadResult>): number | null {
  const one = m.get(1);
  const two = m.get(2);
  return one !== undefined && two !== undefined && one.rps > 0 ? two.rps / one.rps : null;
}
