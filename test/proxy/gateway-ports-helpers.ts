// A data plane serving hand-built snapshots with Gateway API ports, for tests of GatewayPorts: a
// SettableFeed, a DataPlane on it, and the ports following the feed. Logs are kept for assertions.
import net from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Metrics } from '../../src/metrics.ts';
import { DataPlane } from '../../src/proxy/dataplane.ts';
import { GatewayPorts, type ReservedAddress } from '../../src/proxy/gateway-ports.ts';
import { defaultH2Limits } from '../../src/proxy/h2.ts';
import { H2Upstreams } from '../../src/proxy/h2-upstream.ts';
import { defaultLimits, type ListenerLimits } from '../../src/proxy/listeners.ts';
import { Upstreams } from '../../src/proxy/upstreams.ts';
import { Tunnels } from '../../src/proxy/websocket.ts';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import type { Cluster, PortListener, Snapshot, TlsCertificate, VirtualHost } from '../../src/snapshot/types.ts';

export interface PortsUnderTest {
  readonly feed: SettableFeed;
  readonly dp: DataPlane;
  readonly ports: GatewayPorts;
  readonly metrics: Metrics;
  /** every log entry so far */
  readonly logs: Record<string, unknown>[];
  /** publishes a snapshot and waits until its ports are reconciled */
  publish(content: Partial<Pick<Snapshot, 'ports' | 'clusters' | 'tls'>>): Promise<void>;
  stop(): Promise<void>;
}

export function startPorts(options: { reserved?: ReservedAddress[]; drainTimeout?: number; fastPath?: boolean; limits?: Partial<ListenerLimits> } = {}): PortsUnderTest {
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const log = pino({ level: 'debug' }, sink);
  const feed = new SettableFeed();
  const metrics = new Metrics({ processMetrics: false });
  const dp = new DataPlane(feed, new Upstreams(), metrics, log, defaultLimits);
  const h2 = new H2Upstreams();
  const tunnels = new Tunnels();
  const limits = { ...defaultLimits, ...defaultH2Limits, ...options.limits };
  const ports = new GatewayPorts({
    deps: { dp, h2, tunnels, limits },
    limits,
    fastPath: options.fastPath,
    log,
    reserved: options.reserved ?? [],
    drainTimeout: options.drainTimeout ?? 5000,
  });
  ports.follow(feed);
  let version = 0;
  return {
    feed,
    dp,
    ports,
    metrics,
    logs,
    async publish(content) {
      version += 1;
      const snapshot: Snapshot = {
        version,
        hash: `h${version}`,
        listeners: { external: [], local: [] },
        ports: content.ports ?? [],
        clusters: content.clusters ?? [],
        tls: content.tls ?? [],
        ingresses: [],
      };
      feed.publish(snapshot, { snapshot, statuses: [], diagnostics: [] });
      await ports.settled();
    },
    async stop() {
      await ports.stop(1000);
      dp.stop();
      h2.close();
      tunnels.destroyAll();
      dp.fast.close();
      await dp.upstreams.close();
    },
  };
}

/** A port free right now on 127.0.0.1 (bound and released: the next bind to 0 may get it again, so never use one as a refused endpoint; test/support/refused-port.ts has those). */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export function cluster(name: string, port: number, protocol: Cluster['protocol'] = 'http1'): Cluster {
  return { name, protocol, type: 'static', endpoints: [{ address: '127.0.0.1', port }] };
}

/** A virtual host of a port sending every path of `host` to `clusterName`. */
export function vhost(portName: string, host: string, clusterName: string): VirtualHost {
  const ingress = `HTTPRoute default/${host}`;
  return {
    name: `${portName}/${host}`,
    domains: [host],
    ingress,
    httpOption: 'Enabled',
    routes: [{ ingress, path: { type: 'prefix', value: '/' }, headers: [], query: [], filters: [], splits: [{ cluster: clusterName, weight: 1, filters: [] }] }],
  };
}

export function port(p: number, protocol: PortListener['protocol'], virtualHosts: VirtualHost[] = [], certificates: string[] = [], address = '127.0.0.1'): PortListener {
  return { name: `gateway/${address}:${p}`, address, port: p, protocol, certificates, virtualHosts };
}

/** Ports named before their virtual hosts exist: the name a port at `p` gets. */
export const portName = (p: number, address = '127.0.0.1'): string => `gateway/${address}:${p}`;

export function tlsCert(name: string, hosts: string[], pair: { cert: string; key: string }): TlsCertificate {
  return { name, hosts, certChain: pair.cert, privateKey: pair.key };
}

