// Policy routes against the same route without a policy: one `sluice serve` (file mode) with one
// Knative Ingress per scenario, each naming its TrafficPolicy, all to one backend; each policy row is
// divided by the plain route's. Runs alternate between the scenarios (best of `rounds` kept), so a
// slow spell of the shared machine hits them alike.
import { mkdirSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSluice, type SluiceProcess } from './contenders/sluice.ts';
import { measure } from './load.ts';
import { jwtMaterial, POL_BASELINE, POL_UPSTREAMS_PREFIX, polConfig, scenarioHeaders, type PolScenario, type PolScenarioName, type PolUpstreamAddresses } from './pol-config.ts';
import { sleep, start, type Child } from './proc.ts';
import { baselineLines, baselineRow, type BaselineRow } from './baseline-rows.ts';
import type { LoadOptions, LoadResult } from './types.ts';

export type PolRow = BaselineRow<PolScenarioName>;

export interface PoliciesReport {
  readonly rows: readonly PolRow[];
}

export interface PoliciesOptions {
  readonly scenarios: readonly PolScenario[];
  readonly workDir: string;
  readonly proxyCpus: string | undefined;
  readonly upstreamCpus: string | undefined;
  readonly load: Omit<LoadOptions, 'url' | 'headers' | 'scenario' | 'workDir'>;
  readonly rounds: number;
  readonly log: (line: string) => void;
}

const UPSTREAMS = fileURLToPath(new URL('./pol-upstreams.ts', import.meta.url));

async function startPolUpstreams(cpus: string | undefined): Promise<{ child: Child; addresses: PolUpstreamAddresses }> {
  const child = start(process.execPath, ['--import', 'tsx', UPSTREAMS], { cpus, captureStdout: true });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const line = child.stdout().split('\n').find((l) => l.startsWith(POL_UPSTREAMS_PREFIX));
    if (line !== undefined) return { child, addresses: JSON.parse(line.slice(POL_UPSTREAMS_PREFIX.length)) as PolUpstreamAddresses };
    if (child.proc.exitCode !== null || child.proc.signalCode !== null || Date.now() > deadline) {
      await child.stop();
      throw new Error(`the policy backends did not start: ${child.stderr().trim().slice(-2000)}`);
    }
    await sleep(50);
  }
}

/** One request of the scenario, checked for a 200, so a broken policy fails loudly rather than measuring errors. */
function checkOnce(port: number, s: PolScenario, headers: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpGet({ host: '127.0.0.1', port, path: '/', headers: { host: s.host, ...headers }, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${s.name}: GET / answered ${res.statusCode}: ${body.trim().slice(0, 300)}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`${s.name}: no answer in 10 s`)));
    req.on('error', reject);
  });
}

export async function runPolicies(o: PoliciesOptions): Promise<PoliciesReport> {
  const best = new Map<PolScenarioName, LoadResult>();
  const failed = new Map<PolScenarioName, string>();
  const jwt = await jwtMaterial();
  const { child, addresses } = await startPolUpstreams(o.upstreamCpus);
  let sluice: SluiceProcess | undefined;
  let skipped: ReadonlyMap<PolScenarioName, string> = new Map();
  try {
    const cfg = polConfig(o.scenarios, addresses, jwt);
    skipped = cfg.unsupported;
    const configDir = join(o.workDir, 'pol-config');
    mkdirSync(configDir, { recursive: true });
    writeFileSync(join(configDir, 'policies.yaml'), cfg.yaml);
    sluice = await startSluice({ configDir, cpus: o.proxyCpus, readyTimeoutMs: 60_000 });
    const live = o.scenarios.filter((s) => !skipped.has(s.name));
    for (const s of live) await checkOnce(sluice.httpPort, s, scenarioHeaders(s, jwt)).catch((e: Error) => failed.set(s.name, e.message));
    for (let round = 0; round < o.rounds; round++) {
      for (const s of live.filter((x) => !failed.has(x.name))) {
        o.log(`policies: ${s.name}`);
        const r = await measure({
          ...o.load,
          url: `http://127.0.0.1:${sluice.httpPort}/`,
          headers: { host: s.host, ...scenarioHeaders(s, jwt) },
          scenario: { method: 'GET', bodyBytes: 0, h2: false },
          workDir: o.workDir,
        }).catch((e: Error) => e);
        if (r instanceof Error) failed.set(s.name, r.message.slice(-300));
        else if (r.requests === 0 || r.errors + r.non2xx >= r.requests) failed.set(s.name, `every request failed (${r.errors} errors, ${r.non2xx} non-2xx)`);
        else if ((best.get(s.name)?.rps ?? -1) < r.rps) best.set(s.name, r);
      }
    }
  } finally {
    await sluice?.stop();
    await child.stop();
  }
  return { rows: ratePolicies(o.scenarios, best, failed, skipped) };
}

/** Pure: each scenario's row, divided by the plain route's measurement when both ran. */
export function ratePolicies(
  scenarios: readonly PolScenario[],
  best: ReadonlyMap<PolScenarioName, LoadResult>,
  failed: ReadonlyMap<PolScenarioName, string>,
  skipped: ReadonlyMap<PolScenarioName, string>,
): PolRow[] {
  return scenarios.map((s) => baselineRow(s, s.name === POL_BASELINE ? null : POL_BASELINE, best, failed, skipped));
}

/** Pure: the section's lines for the terminal and markdown reports. */
export function polLines(p: PoliciesReport): string[] {
  return baselineLines('policies (one sluice serve, Knative Ingresses with TrafficPolicies; each ÷ the same route without a policy):', p.rows, 14);
}
