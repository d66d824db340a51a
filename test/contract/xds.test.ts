// The routing contract through the xDS output: the table's configuration is validated, stored and
// translated as `sluice serve` does, turned into the resources the xDS server sends (encoded
// through Envoy's protos and decoded back), and every case is decided by an evaluator of Envoy's
// route matching (test/support/envoy-route-eval.ts). Endpoints come from the ClusterLoadAssignments:
// none, or a port nothing listens on, is Envoy's 503.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Sourced } from '../../src/api/types.ts';
import { validateDocument } from '../../src/api/validate.ts';
import type { Snapshot } from '../../src/snapshot/types.ts';
import { Store } from '../../src/store/store.ts';
import { defaultTranslateOptions } from '../../src/translate/options.ts';
import { translate } from '../../src/translate/translate.ts';
import { decodeAny } from '../../src/xds/encode.ts';
import { buildResources, encodeResources } from '../../src/xds/resources.ts';
import { makeCert } from '../proxy/certs.ts';
import { applyResponseEdits, connectionManager, evaluate, type EnvoyDecision, type RouteConfiguration, selectFilterChain } from '../support/envoy-route-eval.ts';
import { CASES, CERT_NAMES, type ContractCase, type ContractPorts, contractConfig, UPSTREAMS } from './cases.ts';
import { assertOutcome, type Observed } from './outcome.ts';

type Obj = Record<string, unknown>;

// Any distinct ports do: nothing is dialled, the port only names the upstream.
const PORTS = Object.fromEntries([...UPSTREAMS.map((n, i) => [n, 20001 + i]), ['refused', 20999]]) as ContractPorts;
const UPSTREAM_BY_PORT = new Map<number, string>(UPSTREAMS.map((n) => [PORTS[n], n]));

interface Fleet {
  readonly listeners: Map<string, Obj>;
  readonly routes: Map<string, RouteConfiguration>;
  /** cluster -> endpoint ports */
  readonly endpoints: Map<string, number[]>;
  /** the clusters Envoy has; a route to another answers its clusterNotFoundStatus */
  readonly clusters: ReadonlySet<string>;
  readonly snapshot: Snapshot;
}

function translateConfig(docs: object[]): Snapshot {
  const resources: Sourced[] = [];
  docs.forEach((doc, i) => {
    const outcome = validateDocument(doc, { file: 'contract.yaml', doc: i });
    if (outcome.kind !== 'resource') throw new Error(`contract config document ${i} not accepted: ${JSON.stringify(outcome)}`);
    resources.push({ resource: outcome.resource, origin: { file: 'contract.yaml', doc: i } });
  });
  const result = translate(new Store().update({ resources, rejections: [] }), defaultTranslateOptions);
  const errors = result.diagnostics.filter((d) => d.level === 'error');
  assert.deepEqual(errors, [], 'the contract configuration translates cleanly');
  return { ...result.snapshot, version: 1 };
}

function buildFleet(snapshot: Snapshot, normalizePath: boolean): Fleet {
  const addresses = { externalAddress: '0.0.0.0:8080', externalTlsAddress: '0.0.0.0:8443', localAddress: '0.0.0.0:8081', normalizePath };
  const encoded = encodeResources(buildResources(snapshot, addresses));
  const decoded = (kind: keyof typeof encoded) => [...encoded[kind].values()].map((r) => [r.name, decodeAny(r.any) as Obj] as const);
  const endpoints = new Map<string, number[]>();
  for (const [name, cla] of decoded('endpoint')) {
    const ports = ((cla.endpoints as Obj[] | undefined) ?? []).flatMap((l) => ((l.lb_endpoints as Obj[] | undefined) ?? []).map((e) => Number(((((e.endpoint as Obj).address as Obj).socket_address as Obj).port_value))));
    endpoints.set(name, ports);
  }
  return {
    listeners: new Map(decoded('listener')),
    routes: new Map(decoded('route').map(([n, r]) => [n, r as unknown as RouteConfiguration])),
    endpoints,
    clusters: new Set(decoded('cluster').map(([name]) => name)),
    snapshot,
  };
}

const lower = (headers: ContractCase['headers'] = {}) =>
  Object.entries(headers).flatMap(([k, v]) => (typeof v === 'string' ? [v] : v).map((one) => [k.toLowerCase(), one] as [string, string]));

/** What a client of the Envoy fleet sees for one decision. */
function observe(d: EnvoyDecision, fleet: Fleet): Observed {
  switch (d.kind) {
    case 'local':
      return { status: d.status };
    case 'redirect':
      return { status: d.status, location: d.location };
    case 'direct':
      return { status: d.status, responseHeaders: Object.fromEntries([...d.headers].map(([k, v]) => [k, v.join(', ')])) };
    case 'route': {
      if (!fleet.clusters.has(d.cluster)) return { status: d.clusterNotFoundStatus };
      // Envoy answers 503 when a cluster has no endpoint or the connection is refused.
      const upstream = UPSTREAM_BY_PORT.get(fleet.endpoints.get(d.cluster)?.[0] ?? -1);
      if (upstream === undefined) return { status: 503 };
      const upstreamHeaders = { ...Object.fromEntries([...d.headers].map(([k, v]) => [k, v.join(', ')])), host: d.authority };
      // The upstream's own response headers are not modelled: only what Envoy adds is seen.
      const responseHeaders = Object.fromEntries([...applyResponseEdits(d, [], d.headers)].map(([k, v]) => [k, v.join(', ')]));
      return { status: 200, upstream, upstreamPath: d.path, upstreamHeaders, responseHeaders };
    }
  }
}

/** The case on one Envoy listener: `sni` set for the TLS one. */
function run(c: ContractCase, fleet: Fleet, listenerName: string, scheme: 'http' | 'https'): Observed[] {
  const listener = fleet.listeners.get(listenerName);
  assert.ok(listener, `listener ${listenerName}`);
  const chain = selectFilterChain(listener, scheme === 'https' ? c.host.replace(/:\d+$/, '') : undefined);
  if (!chain) return [{ status: 0, certificate: null }];
  const certificate = scheme === 'https' ? certificateOf(chain) : undefined;
  const hcm = connectionManager(chain);
  const config = fleet.routes.get(hcm.routeConfigName);
  assert.ok(config, `route configuration ${hcm.routeConfigName}`);
  const n = c.repeat ?? 1;
  const out: Observed[] = [];
  for (let i = 0; i < n; i++) {
    // Rolls spread evenly over the weights, which sum to 100 (Knative percents).
    const d = evaluate(hcm, config, { authority: c.host, path: c.path ?? '/', scheme, headers: lower(c.headers) }, ((i + 0.5) * 100) / n);
    out.push({ ...observe(d, fleet), ...(certificate !== undefined ? { certificate } : {}) });
  }
  return out;
}

/** The chain's certificate, named as the data plane's test names it: the first host of the Secret's certificate. */
function certificateOf(chain: Obj): string | null {
  const secret = String(chain.name ?? '');
  const key = secret.slice(secret.indexOf('/') + 1) as keyof typeof CERT_NAMES;
  return CERT_NAMES[key]?.[0] ?? null;
}

describe('routing contract: the xDS resources, as Envoy decides', () => {
  let fleet: Fleet;
  /** the same configuration as served with --no-normalize-path */
  let rawFleet: Fleet;
  let certDir: string;

  before(async () => {
    certDir = await mkdtemp(join(tmpdir(), 'sluice-contract-xds-'));
    const certs = { wildcard: makeCert(certDir, 'wildcard', [...CERT_NAMES.wildcard]), secure: makeCert(certDir, 'secure', [...CERT_NAMES.secure]) };
    const snapshot = translateConfig(contractConfig(PORTS, certs));
    fleet = buildFleet(snapshot, true);
    rawFleet = buildFleet(snapshot, false);
  });
  after(async () => {
    await rm(certDir, { recursive: true, force: true });
  });

  const resolve = (value: string) => (value.startsWith('$hash:') ? (fleet.snapshot.ingresses.find((i) => i.key === value.slice(6))?.hash ?? 'unknown ingress') : value);

  for (const c of CASES.filter((x) => !x.only || x.only.includes('xds'))) {
    const targets: Array<[string, 'http' | 'https']> =
      c.listener === 'local' ? [['local', 'http']] : [...(c.scheme !== 'https' ? [['external', 'http'] as [string, 'http']] : []), ...(c.scheme !== 'http' ? [['external-tls', 'https'] as [string, 'https']] : [])];
    for (const [listener, scheme] of targets) {
      it(`${c.name} (${listener})`, { todo: c.todo?.xds }, () => {
        assertOutcome(c, run(c, c.normalize === false ? rawFleet : fleet, listener, scheme), resolve);
      });
    }
  }
});
