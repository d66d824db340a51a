// Snapshot values built by hand for the xDS tests (the translator is not used here on purpose:
// these tests pin the xDS side alone).
import type { Cluster, Snapshot, Split, TranslateResult, VirtualHost } from '../../src/snapshot/types.ts';
import type { ListenerAddresses } from '../../src/xds/common.ts';

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
