// The xDS server: an AggregatedDiscoveryService (state of the world and incremental) over
// @grpc/grpc-js, serving the resources of the feed's current snapshot to any number of clients.
// Resources are built and encoded once per snapshot and shared by every stream; each stream
// then decides on its own what its client needs (see sotw.ts and delta.ts).
import * as grpc from '@grpc/grpc-js';
import { SluiceError } from '../errors.ts';
import type { SnapshotFeed } from '../snapshot/feed.ts';
import type { Snapshot } from '../snapshot/types.ts';
import { checkListenerAddresses, parseHostPort, type ListenerAddresses } from './common.ts';
import { DeltaStream } from './delta.ts';
import { silentLog, type XdsClientStatus, type XdsLog } from './log.ts';
import { buildResources, encodeResources, type EncodedResources } from './resources.ts';
import {
  adsServiceDefinition,
  type DeltaDiscoveryRequest,
  type DeltaDiscoveryResponse,
  type DiscoveryRequest,
  type DiscoveryResponse,
} from './service.ts';
import { SotwStream } from './sotw.ts';

export interface XdsServerOptions {
  /** `host:port` to serve ADS on; port 0 picks a free port */
  readonly address: string;
  readonly feed: SnapshotFeed;
  /** where the Envoy listeners bind (the addresses written into the Listener resources) */
  readonly listenerAddresses: ListenerAddresses;
  readonly log?: XdsLog;
}

export interface XdsServer {
  /** the bound `host:port` (with the real port when 0 was asked for) */
  readonly address: string;
  /** every connected client and what it has, sorted by node id */
  clients(): XdsClientStatus[];
  close(): Promise<void>;
}

interface ClientStream {
  readonly nodeId: string;
  update(resources: EncodedResources): void;
  status(): XdsClientStatus['types'];
}

type Call<Req, Res> = grpc.ServerDuplexStream<Req, Res>;

export async function startXdsServer(options: XdsServerOptions): Promise<XdsServer> {
  const log = options.log ?? silentLog;
  const { host } = parseHostPort(options.address, '--xds');
  const addrs = options.listenerAddresses;
  checkListenerAddresses(addrs);

  let resources: EncodedResources | undefined;
  const streams = new Map<ClientStream, { peer: string; protocol: XdsClientStatus['protocol'] }>();
  const calls = new Set<Call<unknown, unknown>>();

  const rebuild = (snapshot: Snapshot) => {
    try {
      resources = encodeResources(buildResources(snapshot, addrs));
    } catch (err) {
      // Clients keep the last good resources; the error names the field Envoy would reject.
      log.error({ err, version: snapshot.version }, `xDS resources for snapshot ${snapshot.version} not served`);
      return;
    }
    log.info({ version: snapshot.version }, 'xDS resources updated');
    for (const s of streams.keys()) s.update(resources);
  };
  const first = options.feed.current();
  if (first) rebuild(first);
  const unsubscribe = options.feed.subscribe((snapshot) => rebuild(snapshot));

  function serve<Req, Res>(
    call: Call<Req, Res>,
    protocol: XdsClientStatus['protocol'],
    stream: ClientStream & { handle(r: Req, x?: EncodedResources): void },
  ) {
    const peer = call.getPeer();
    calls.add(call as Call<unknown, unknown>);
    streams.set(stream, { peer, protocol });
    const done = () => {
      if (!streams.delete(stream)) return;
      calls.delete(call as Call<unknown, unknown>);
      log.info({ node: stream.nodeId, peer }, 'xDS client disconnected');
    };
    call.on('data', (req: Req) => {
      const known = stream.nodeId;
      try {
        stream.handle(req, resources);
      } catch (err) {
        log.error({ err, node: stream.nodeId, peer }, 'xDS request failed');
        call.destroy(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      if (!known && stream.nodeId) log.info({ node: stream.nodeId, peer }, 'xDS client connected');
    });
    call.on('end', () => {
      done();
      call.end();
    });
    call.on('error', done);
    call.on('close', done);
    call.on('cancelled', done);
  }

  const server = new grpc.Server();
  // A push can race the stream's end; writing to an ended call would throw.
  const writer =
    <Res>(call: Call<unknown, Res>) =>
    (response: Res) => {
      if (!call.writableEnded && !call.destroyed) call.write(response);
    };
  server.addService(adsServiceDefinition(), {
    StreamAggregatedResources: (call: Call<DiscoveryRequest, DiscoveryResponse>) =>
      serve(call, 'sotw', new SotwStream(writer(call), log)),
    DeltaAggregatedResources: (call: Call<DeltaDiscoveryRequest, DeltaDiscoveryResponse>) =>
      serve(call, 'delta', new DeltaStream(writer(call), log)),
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(options.address, grpc.ServerCredentials.createInsecure(), (err, bound) => {
      if (err) reject(new SluiceError('SLUICE_ERR_LISTEN', `--xds ${options.address}: ${err.message}`, { cause: err }));
      else resolve(bound);
    });
  }).catch((err: unknown) => {
    unsubscribe();
    server.forceShutdown();
    throw err;
  });
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  log.info({ address }, 'xDS server listening');

  let closed: Promise<void> | undefined;
  return {
    address,
    clients() {
      return [...streams]
        .map(([s, { peer, protocol }]) => ({ node: s.nodeId, peer, protocol, types: s.status() }))
        .sort((a, b) => a.node.localeCompare(b.node) || a.peer.localeCompare(b.peer));
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        unsubscribe();
        for (const call of calls) call.end();
        // Streams are ended above; a client that does not go away is cut after a second.
        const force = setTimeout(() => server.forceShutdown(), 1000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      return closed;
    },
  };
}
