// The same small GET through a Gateway API HTTPRoute and through a Knative route, side by side in
// one `sluice serve`: the HTTPRoute in the shape users write (a header match, a request header
// filter) on a Gateway port, the Knative ingress as Knative writes it (one path, one split, the
// revision headers appended) on --http. Runs
// alternate (`--rounds`, best kept), so a slow spell of the shared machine hits both alike.
//   npx tsx bench/gateway-route.ts [--duration S] [--warmup S] [--connections N] [--rounds N] [--upstream nginx|node]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus as osCpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startSluice } from './contenders/sluice.ts';
import { GATEWAY_LISTENER_PORT, gatewayYaml, ROUTE_MATCH_HEADER, routeYaml } from './httproute-gen.ts';
import { BENCH_HOST, NAMESPACE } from './ingress-gen.ts';
import { defaultGenerator, measure } from './load.ts';
import { freePort, pinningAvailable, stopChildrenOnExit } from './proc.ts';
import { scenarioByName } from './scenarios.ts';
import type { LoadResult } from './types.ts';
import { defaultUpstreamKind, startUpstream, type UpstreamKind } from './upstream.ts';

const GATEWAY_HOST = 'gw.example.com';

const { values } = parseArgs({
  options: { duration: { type: 'string' }, warmup: { type: 'string' }, connections: { type: 'string' }, rounds: { type: 'string' }, upstream: { type: 'string' } },
});
const durationSec = Number(values.duration ?? 5);
const warmupSec = Number(values.warmup ?? 1);
const connections = Number(values.connections ?? 50);
const rounds = Number(values.rounds ?? 2);
const upstreamKind = (values.upstream ?? defaultUpstreamKind()) as UpstreamKind;

/**
 * The Knative side as Knative's controller writes a Service's route: one path, one split to the
 * revision, with the revision headers appended (as the HTTPRoute adds one).
 */
function knativeYaml(port: number): string {
  return `apiVersion: networking.internal.knative.dev/v1alpha1
kind: Ingress
metadata: { name: bench, namespace: ${NAMESPACE} }
spec:
  rules:
    - hosts: [${BENCH_HOST}]
      visibility: ExternalIP
      http:
        paths:
          - path: /
            splits:
              - { serviceNamespace: ${NAMESPACE}, serviceName: bench, servicePort: 80, percent: 100, appendHeaders: { Knative-Serving-Namespace: ${NAMESPACE}, Knative-Serving-Revision: bench } }
---
apiVersion: v1
kind: Service
metadata: { name: bench, namespace: ${NAMESPACE} }
spec: { ports: [{ name: http, port: 80, targetPort: ${port} }] }
---
apiVersion: v1
kind: Endpoints
metadata: { name: bench, namespace: ${NAMESPACE} }
subsets: [{ addresses: [{ ip: 127.0.0.1 }], ports: [{ name: http, port: ${port} }] }]
`;
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  stopChildrenOnExit();
  const pinned = pinningAvailable(osCpus().length);
  const [proxyCpus, genCpus] = pinned ? ['0', '1'] : [undefined, undefined];
  const workDir = mkdtempSync(join(tmpdir(), 'sluice-bench-gw-'));
  process.on('exit', () => rmSync(workDir, { recursive: true, force: true }));
  const upstream = await startUpstream(upstreamKind, genCpus, workDir);
  const configDir = join(workDir, 'config');
  mkdirSync(configDir, { recursive: true });
  writeFileSync(join(configDir, 'knative.yaml'), knativeYaml(upstream.portA));
  writeFileSync(join(configDir, 'gateway.yaml'), `${gatewayYaml()}---\n${routeYaml({ name: 'gw', host: GATEWAY_HOST, paths: ['/'], split: false, portA: upstream.portA, portB: upstream.portB })}`);
  const gwPort = await freePort();
  const sluice = await startSluice({ configDir, cpus: proxyCpus, readyTimeoutMs: 60_000, extraArgs: ['--gateway-address', '127.0.0.1', '--port-offset', String(gwPort - GATEWAY_LISTENER_PORT)] });
  const small = scenarioByName('small');
  // Both send the header the HTTPRoute matches on, so the requests are byte for byte alike but the Host.
  const headers = { [ROUTE_MATCH_HEADER.name]: ROUTE_MATCH_HEADER.value };
  const load = { connections, durationSec, warmupSec, cpus: genCpus, generator: defaultGenerator(), workDir, scenario: small } as const;
  const best = { knative: undefined as LoadResult | undefined, gateway: undefined as LoadResult | undefined };
  try {
    for (let round = 0; round < rounds; round++) {
      log(`round ${round + 1}: Knative route`);
      const k = await measure({ ...load, url: `http://127.0.0.1:${sluice.httpPort}${small.path}`, headers: { ...headers, host: BENCH_HOST } });
      log(`round ${round + 1}: Gateway API HTTPRoute`);
      const g = await measure({ ...load, url: `http://127.0.0.1:${gwPort}${small.path}`, headers: { ...headers, host: GATEWAY_HOST } });
      if (best.knative === undefined || k.rps > best.knative.rps) best.knative = k;
      if (best.gateway === undefined || g.rps > best.gateway.rps) best.gateway = g;
    }
  } finally {
    await sluice.stop();
    await upstream.stop();
  }
  const line = (name: string, r: LoadResult): string => `  ${name.padEnd(24)} ${r.rps.toFixed(0).padStart(7)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms${r.errors > 0 ? `, ${r.errors} errors` : ''}${r.non2xx > 0 ? `, ${r.non2xx} non-2xx` : ''}`;
  console.log(`small GET, ${connections} connections, ${durationSec}s runs, best of ${rounds} (${load.generator}, upstream ${upstreamKind}${pinned ? ', pinned' : ''}):`);
  console.log(line('Knative route', best.knative!));
  console.log(line('Gateway API HTTPRoute', best.gateway!));
  console.log(`  HTTPRoute / Knative: ${(best.gateway!.rps / best.knative!.rps).toFixed(2)}x req/s`);
}

await main();
