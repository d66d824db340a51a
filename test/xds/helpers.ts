// Snapshot values built by hand for the xDS tests (the translator is not used here on purpose:
// these tests pin the xDS side alone).
import type { Cluster, Route, Snapshot, Split, TranslateResult, VirtualHost } from '../../src/snapshot/types.ts';
import type { ListenerAddresses } from '../../src/xds/common.ts';
import { decodeAny } from '../../src/xds/encode.ts';
import { buildResources, encodeResources } from '../../src/xds/resources.ts';

export const DEFAULT_ADDRESSES: ListenerAddresses = {
  externalAddress: '0.0.0.0:8080',
  externalTlsAddress: '0.0.0.0:8443',
  localAddress: '0.0.0.0:8081',
};

export interface Backend {
  readonly cluster: string;
  readonly port: number;
  readonly percent: number;
  readonly protocol?: Cluster['protocol'];
}

/** One ingress `default/<host>` routing every path of `host` to the given backends on 127.0.0.1. */
export function splitSnapshot(version: number, host: string, backends: readonly Backend[]): Snapshot {
  const splits: Split[] = backends
    .filter((b) => b.percent > 0)
    .map((b) => ({ cluster: b.cluster, weight: b.percent, filters: [] }));
  const vhost: VirtualHost = {
    name: `default/${host}/0`,
    domains: [host],
    ingress: `default/${host}`,
    httpOption: 'Enabled',
    routes: [{ ingress: `default/${host}`, path: { type: 'prefix', value: '/' }, headers: [], query: [], filters: [], splits }],
  };
  const clusters: Cluster[] = backends
    .map((b) => ({
      name: b.cluster,
      protocol: b.protocol ?? 'h2c',
      type: 'static' as const,
      endpoints: [{ address: '127.0.0.1', port: b.port }],
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return {
    version,
    hash: `v${version}`,
    listeners: { external: [vhost], local: [vhost] },
    ports: [],
    clusters,
    tls: [],
    ingresses: [
      {
        key: `default/${host}`,
        namespace: 'default',
        name: host,
        hash: `hash-${version}`,
        httpOption: 'Enabled',
        externalHosts: [host],
        localHosts: [host],
      },
    ],
  };
}

export function resultOf(snapshot: Snapshot): TranslateResult {
  return { snapshot, statuses: [], diagnostics: [] };
}

/** A route with the IR's defaults: every path, no matchers or filters, one backend `default/a:80`. */
export function irRoute(overrides: Partial<Route> = {}): Route {
  return {
    ingress: 'HTTPRoute default/web',
    path: { type: 'prefix', value: '/' },
    headers: [],
    query: [],
    filters: [],
    splits: [{ cluster: 'default/a:80', weight: 1, filters: [] }],
    ...overrides,
  };
}

/** A snapshot serving `routes` for `web.example.com` on the external listener (no Knative ingress). */
export function irSnapshot(routes: readonly Route[], extra: Partial<Snapshot> = {}): Snapshot {
  const vhost: VirtualHost = { name: 'web', domains: ['web.example.com'], ingress: 'HTTPRoute default/web', httpOption: 'Enabled', routes };
  const cluster = (name: string): Cluster => ({ name, protocol: 'http1', type: 'static', endpoints: [{ address: '10.0.0.1', port: 80 }] });
  return {
    version: 1,
    hash: 'ir',
    listeners: { external: [vhost], local: [] },
    ports: [],
    clusters: [cluster('default/a:80'), cluster('default/b:80'), cluster('default/mirror:80')],
    tls: [],
    ingresses: [],
    ...extra,
  };
}

/** Every resource of `snapshot` encoded through the protos and decoded back, by kind and name. */
export function encodedResources(snapshot: Snapshot, addresses: ListenerAddresses = DEFAULT_ADDRESSES): Record<string, Map<string, Record<string, unknown>>> {
  const encoded = encodeResources(buildResources(snapshot, addresses));
  const out: Record<string, Map<string, Record<string, unknown>>> = {};
  for (const [kind, table] of Object.entries(encoded)) {
    out[kind] = new Map([...table.values()].map((r) => [r.name, decodeAny(r.any) as Record<string, unknown>]));
  }
  return out;
}
