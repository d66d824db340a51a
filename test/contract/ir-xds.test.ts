// The IR routing contract (ir-cases.ts) through the xDS output: the table's snapshot is turned
// into the resources the xDS server sends (encoded through Envoy's protos and decoded back) and
// every case is decided by the evaluator of Envoy's routing (test/support/envoy-route-eval.ts), on
// the Gateway API port's plain and TLS listeners.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Snapshot } from '../../src/snapshot/types.ts';
import { decodeAny } from '../../src/xds/encode.ts';
import { buildResources, encodeResources } from '../../src/xds/resources.ts';
import { makeCert } from '../proxy/certs.ts';
import { port, tlsCert } from '../proxy/gateway-ports-helpers.ts';
import { applyResponseEdits, connectionManager, type EnvoyDecision, evaluate, type RouteConfiguration, selectFilterChain } from '../support/envoy-route-eval.ts';
import type { ContractCase } from './cases.ts';
import { IR_CASES, IR_CERT_NAMES, IR_UPSTREAMS, irClusters, irVirtualHost } from './ir-cases.ts';
import { assertOutcome, type Observed } from './outcome.ts';

type Obj = Record<string, unknown>;

// Any distinct ports do: nothing is dialled, the port only names the upstream.
const PORTS = { v1: 20001, v2: 20002 };
const UPSTREAM_BY_PORT = new Map<number, string>(IR_UPSTREAMS.map((n) => [PORTS[n], n]));
const PLAIN = port(18080, 'HTTP');
const TLS = port(18443, 'HTTPS', [], ['ir/wildcard']);

interface Fleet {
  readonly listeners: Map<string, Obj>;
  readonly routes: Map<string, RouteConfiguration>;
  /** cluster -> its endpoints (EDS, or a DNS cluster's own load assignment) */
  readonly endpoints: Map<string, Obj[]>;
  /** clusters whose hosts are named by DNS (their hostname is the name resolved) */
  readonly dns: Set<string>;
}

function buildFleet(snapshot: Snapshot): Fleet {
  const addresses = { externalAddress: '0.0.0.0:8080', externalTlsAddress: '0.0.0.0:8443', localAddress: '0.0.0.0:8081' };
  const encoded = encodeResources(buildResources(snapshot, addresses));
  const decoded = (kind: keyof typeof encoded) => [...encoded[kind].values()].map((r) => [r.name, decodeAny(r.any) as Obj] as const);
  const lbEndpoints = (cla: Obj | undefined) => ((cla?.endpoints as Obj[] | undefined) ?? []).flatMap((l) => (l.lb_endpoints as Obj[] | undefined) ?? []).map((e) => e.endpoint as Obj);
  const endpoints = new Map<string, Obj[]>();
  const dns = new Set<string>();
  for (const [name, cluster] of decoded('cluster')) {
    endpoints.set(name, lbEndpoints(cluster.load_assignment as Obj | undefined));
    if (cluster.type === 'LOGICAL_DNS' || cluster.type === 'STRICT_DNS') dns.add(name);
  }
  for (const [name, cla] of decoded('endpoint')) endpoints.set(name, lbEndpoints(cla));
  return { listeners: new Map(decoded('listener')), routes: new Map(decoded('route').map(([n, r]) => [n, r as unknown as RouteConfiguration])), endpoints, dns };
}

const lower = (headers: ContractCase['headers'] = {}) =>
  Object.entries(headers).flatMap(([k, v]) => (typeof v === 'string' ? [v] : v).map((one) => [k.toLowerCase(), one] as [string, string]));
const joined = (m: ReadonlyMap<string, readonly string[]>) => Object.fromEntries([...m].map(([k, v]) => [k, v.join(', ')]));

/** What a client of the Envoy fleet sees for one decision. */
function observe(d: EnvoyDecision, fleet: Fleet): Observed {
  switch (d.kind) {
    case 'local':
      return { status: d.status };
    case 'redirect':
      return { status: d.status, location: d.location };
    case 'direct':
      return { status: d.status, body: d.body, responseHeaders: joined(d.headers), ...(d.delayMs !== undefined ? { heldMs: d.delayMs } : {}) };
    case 'route': {
      const endpoint = fleet.endpoints.get(d.cluster)?.[0];
      const address = (endpoint?.address as Obj | undefined)?.socket_address as Obj | undefined;
      const upstream = UPSTREAM_BY_PORT.get(Number(address?.port_value ?? -1));
      if (upstream === undefined) return { status: 503 };
      // auto_host_rewrite: the host's hostname, when it has one.
      const hostname = (endpoint?.hostname as string | undefined) || (fleet.dns.has(d.cluster) ? String(address?.address) : undefined);
      const upstreamHeaders = { ...joined(d.headers), host: d.autoHostRewrite && hostname ? hostname : d.authority };
      return { status: 200, upstream, upstreamPath: d.path, upstreamHeaders, responseHeaders: joined(applyResponseEdits(d, [], d.headers)), ...(d.delayMs !== undefined ? { heldMs: d.delayMs } : {}) };
    }
  }
}

function run(c: ContractCase, fleet: Fleet, scheme: 'http' | 'https'): Observed[] {
  const listener = fleet.listeners.get(scheme === 'https' ? TLS.name : PLAIN.name);
  assert.ok(listener, 'the port has a listener');
  const chain = selectFilterChain(listener, scheme === 'https' ? c.host : undefined);
  assert.ok(chain, 'a filter chain');
  const hcm = connectionManager(chain);
  const config = fleet.routes.get(hcm.routeConfigName);
  assert.ok(config, `route configuration ${hcm.routeConfigName}`);
  const out: Observed[] = [];
  for (let i = 0; i < (c.repeat ?? 1); i++) {
    out.push(observe(evaluate(hcm, config, { authority: c.host, path: c.path ?? '/', scheme, headers: lower(c.headers) }), fleet));
  }
  return out;
}

describe('IR routing contract: the xDS resources, as Envoy decides', () => {
  let fleet: Fleet;
  let certDir: string;

  before(async () => {
    certDir = await mkdtemp(join(tmpdir(), 'sluice-ir-contract-xds-'));
    const pair = makeCert(certDir, 'wildcard', [...IR_CERT_NAMES]);
    const snapshot: Snapshot = {
      version: 1,
      hash: 'ir',
      listeners: { external: [], local: [] },
      ports: [
        { ...PLAIN, virtualHosts: [irVirtualHost(PLAIN.name)] },
        { ...TLS, virtualHosts: [irVirtualHost(TLS.name)] },
      ],
      clusters: irClusters(PORTS),
      tls: [{ ...tlsCert('ir/wildcard', [...IR_CERT_NAMES], pair), gateway: true }],
      ingresses: [],
    };
    fleet = buildFleet(snapshot);
  });
  after(async () => {
    if (certDir) await rm(certDir, { recursive: true, force: true });
  });

  for (const c of IR_CASES.filter((x) => !x.only || x.only.includes('xds'))) {
    for (const scheme of ['http', 'https'] as const) {
      if (c.scheme !== undefined && c.scheme !== scheme) continue;
      it(`${c.name} (${scheme})`, { todo: c.todo?.xds }, () => assertOutcome(c, run(c, fleet, scheme), (v) => v));
    }
  }
});
