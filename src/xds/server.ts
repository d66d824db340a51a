// The xDS server: an AggregatedDiscoveryService (state of the world and incremental) over
// @grpc/grpc-js, serving the resources of the feed's current snapshot to any number of clients.
// Resources are built and encoded once (only what a snapshot changed) and shared by every stream; each stream
// then decides on its own what its client needs (see sotw.ts and delta.ts). A stream is admitted
// on its first request (access.ts); a refused one gets PERMISSION_DENIED and nothing else.
import * as grpc from '@grpc/grpc-js';
import { SluiceError } from '../errors.ts';
import type { SnapshotChange } from '../snapshot/change.ts';
import type { SnapshotFeed } from '../snapshot/feed.ts';
import type { Snapshot } from '../snapshot/types.ts';
import { denialReason, type XdsAccess } from './access.ts';
import { checkListenerAddresses, type ListenerAddresses } from './common.ts';
import { DeltaStream } from './delta.ts';
import { silentLog, type XdsClientStatus, type XdsLog } from './log.ts';
import { XdsResourceCache } from './resource-cache.ts';
import { isEncodedResponse, ResponseCache, type EncodedResponse } from './responses.ts';
import type { EncodedResources } from './resources.ts';
import { envoyFunctionWarnings } from './functions.ts';
import { sendFramesAsIs } from './grpc-frame.ts';
import {
  adsServiceDefinition,
  type DeltaDiscoveryRequest,
  type DeltaDiscoveryResponse,
  type DiscoveryRequest,
  type DiscoveryResponse,
  type Node,
} from './service.ts';
import { SotwStream } from './sotw.ts';
import { PUSH_BYTES_IN_FLIGHT, PUSH_STALL_MS, SotwPacer, WritesInFlight } from './push-pacer.ts';
import { wantsVhds } from './vhds.ts';
import { exposureWarning, parseXdsAddress, serverCredentials, type XdsTls } from './transport.ts';

export interface XdsServerOptions {
  /** `host:port` to serve ADS on, or `PORT`/`:PORT` for loopback; port 0 picks a free port */
  readonly address: string;
  readonly feed: SnapshotFeed;
  /** where the Envoy listeners bind (the addresses written into the Listener resources) */
  readonly listenerAddresses: ListenerAddresses;
  readonly log?: XdsLog;
  /** serve over TLS (mTLS with `clientCa`); plaintext without */
  readonly tls?: XdsTls;
  /** which clients are admitted; without it, every client */
  readonly access?: XdsAccess;
  /** the most resource bytes in one delta response (more are sent in several); 3 MiB unless set */
  readonly deltaPartBytes?: number;
  /** written bytes not yet sent above which the next state-of-the-world push waits (push-pacer.ts); 64 MiB unless set */
  readonly pushBytesInFlight?: number;
  /** how long a state-of-the-world push waits at most for written bytes to go (a client that does not read); 1 s unless set */
  readonly pushStallMs?: number;
}

export interface XdsServer {
  /** the bound `host:port` (with the real port when 0 was asked for) */
  readonly address: string;
  /** every connected client and what it has, sorted by node id */
  clients(): XdsClientStatus[];
  /** work done since start: resource units translated, messages encoded, response bodies encoded */
  stats(): XdsServerStats;
  close(): Promise<void>;
}

export interface XdsServerStats {
  readonly translated: number;
  readonly encoded: number;
  /** IR virtual hosts and clusters looked at: a change followed by its diffs looks at only those it names */
  readonly visited: number;
  /** each shared by every stream that sends the same response */
  readonly responsesEncoded: number;
  /** shared responses a stream copied to give it a nonce of its own (a resend of the same response) */
  readonly responsesCopied: number;
  /** held resource versions delta streams compared one by one (a first answer, a new subscription) */
  readonly compared: number;
  /** resource names the streams keep a version of, in all (per-client memory: none for a stream in step) */
  readonly namesKept: number;
  /** bytes of the shared responses held for the tables served now */
  readonly responseBytesHeld: number;
}

interface ClientStream {
  readonly nodeId: string;
  update(resources: EncodedResources): void;
  status(): XdsClientStatus['types'];
  namesKept(): number;
}

type Call<Req, Res> = grpc.ServerDuplexStream<Req, Res>;

export async function startXdsServer(options: XdsServerOptions): Promise<XdsServer> {
  const log = options.log ?? silentLog;
  const { host, address: bindAddress } = parseXdsAddress(options.address);
  const addrs = options.listenerAddresses;
  checkListenerAddresses(addrs);
  const access = options.access ?? {};
  if (access.nodeIdFromCert && !options.tls?.clientCa) {
    throw new SluiceError('SLUICE_ERR_BAD_FLAG', '--xds-node-id-from-cert needs --xds-client-ca (client certificates)');
  }
  const credentials = serverCredentials(options.tls);

  let resources: EncodedResources | undefined;
  // Translates and encodes only what each snapshot changed (resource-cache.ts).
  const cache = new XdsResourceCache(addrs);
  // Responses encoded once for every stream that sends the same (responses.ts).
  const responses = new ResponseCache();
  const streams = new Map<ClientStream, { peer: string; protocol: XdsClientStatus['protocol'] }>();
  const calls = new Set<Call<unknown, unknown>>();
  const writes = new WritesInFlight();
  const pacer = new SotwPacer(writes, { budget: options.pushBytesInFlight ?? PUSH_BYTES_IN_FLIGHT, stallMs: options.pushStallMs ?? PUSH_STALL_MS });

  // What was last said about functions Envoy cannot serve, so each is said once, not per snapshot.
  let warned = new Set<string>();
  // `change`: how the snapshot was made from the one before (the feed's diffs), so that only what
  // changed is looked at (resource-change.ts); without it the whole snapshot is walked.
  const rebuild = (snapshot: Snapshot, change?: SnapshotChange) => {
    try {
      resources = cache.build(snapshot, change);
    } catch (err) {
      // Clients keep the last good resources; the error names the field Envoy would reject.
      log.error({ err, version: snapshot.version }, `xDS resources for snapshot ${snapshot.version} not served`);
      return;
    }
    responses.retain(new Set(Object.values(resources)));
    log.info({ version: snapshot.version }, 'xDS resources updated');
    const now = new Set<string>();
    for (const w of envoyFunctionWarnings(snapshot)) {
      const key = `${w.function}\n${w.message}`;
      now.add(key);
      if (!warned.has(key)) log.warn({ function: w.function, problem: w.message }, `function ${w.function} is not served by Envoy as by Sluice's data plane`);
    }
    warned = now;
    // Delta streams now: their changes are small. State-of-the-world ones (whole route
    // configurations, tens of MiB each) once those are sent, one at a time (push-pacer.ts).
    const mark = writes.last;
    for (const [s, { protocol }] of streams) if (protocol === 'delta') s.update(resources);
    pacer.schedule([...streams].filter(([, { protocol }]) => protocol !== 'delta').map(([s]) => s), resources, mark);
  };
  const first = options.feed.current();
  if (first) rebuild(first);
  const unsubscribe = options.feed.subscribe((change) => rebuild(change.snapshot, change));

  function serve<Req extends { readonly node: Node | null }, Res>(
    call: Call<Req, Res>,
    protocol: XdsClientStatus['protocol'],
    stream: ClientStream & { handle(r: Req, x?: EncodedResources): void },
  ) {
    const peer = call.getPeer();
    // A shared response's frame is written to every stream, not copied into one per stream.
    sendFramesAsIs(call);
    let state: 'new' | 'admitted' | 'denied' = 'new';
    calls.add(call as Call<unknown, unknown>);
    const done = () => {
      calls.delete(call as Call<unknown, unknown>);
      writes.drop(call);
      pacer.forget(stream);
      if (streams.delete(stream)) log.info({ node: stream.nodeId, peer }, 'xDS client disconnected');
    };
    // Decided on the first request, the one that carries the node; nothing is sent before.
    const admit = (req: Req): boolean => {
      const node = req.node?.id ?? '';
      const reason = denialReason(access, node, call.getAuthContext().sslPeerCertificate);
      if (reason) {
        state = 'denied';
        log.warn({ node, peer, reason }, `xDS client refused: ${reason}`);
        // grpc-js turns an 'error' carrying a code into the call's status, then ends the call.
        call.emit('error', Object.assign(new Error(reason), { code: grpc.status.PERMISSION_DENIED, details: reason }));
        return false;
      }
      state = 'admitted';
      streams.set(stream, { peer, protocol });
      log.info({ node, peer }, 'xDS client connected');
      // VHDS's resources are built from the first delta client that asks for them on (vhds.ts).
      if (protocol === 'delta' && !cache.vhds && wantsVhds(req.node)) {
        cache.vhds = true;
        const current = options.feed.current();
        if (current) rebuild(current);
      }
      return true;
    };
    call.on('data', (req: Req) => {
      if (state === 'denied' || (state === 'new' && !admit(req))) return;
      try {
        stream.handle(req, resources);
      } catch (err) {
        log.error({ err, node: stream.nodeId, peer }, 'xDS request failed');
        call.destroy(err instanceof Error ? err : new Error(String(err)));
      }
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
  // A push can race the stream's end; writing to an ended call would throw. Each write is counted
  // until grpc-js calls it back (sent or failed), for the pacing of state-of-the-world pushes.
  const writer =
    <Res>(call: Call<unknown, Res>, protocol: XdsClientStatus['protocol'], node: () => string) =>
    (response: Res | EncodedResponse) => {
      if (call.writableEnded || call.destroyed) return;
      const encoded = typeof response === 'object' && response !== null && isEncodedResponse(response);
      const fields = { node: node(), protocol, nonce: encoded ? response.nonce : undefined, bytes: encoded ? response.frame.length : undefined };
      log.debug(fields, 'xDS response queued');
      const sent = writes.add(call, encoded ? response.frame.length : 0);
      call.write(response as Res, () => {
        sent();
        log.debug(fields, 'xDS response written');
      });
    };
  server.addService(adsServiceDefinition(), {
    StreamAggregatedResources: (call: Call<DiscoveryRequest, DiscoveryResponse | EncodedResponse>) => {
      const stream: SotwStream = new SotwStream(writer(call, 'sotw', () => stream.nodeId), log, responses);
      serve(call, 'sotw', stream);
    },
    DeltaAggregatedResources: (call: Call<DeltaDiscoveryRequest, DeltaDiscoveryResponse | EncodedResponse>) => {
      const stream: DeltaStream = new DeltaStream(writer(call, 'delta', () => stream.nodeId), log, responses, options.deltaPartBytes);
      serve(call, 'delta', stream);
    },
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(bindAddress, credentials, (err, bound) => {
      if (err) reject(new SluiceError('SLUICE_ERR_LISTEN', `--xds ${options.address}: ${err.message}`, { cause: err }));
      else resolve(bound);
    });
  }).catch((err: unknown) => {
    unsubscribe();
    server.forceShutdown();
    throw err;
  });
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  log.info({ address, tls: options.tls ? (options.tls.clientCa ? 'mtls' : 'tls') : 'none' }, 'xDS server listening');
  const warning = exposureWarning(host, options.tls, access);
  if (warning) log.warn({ address }, warning);

  let closed: Promise<void> | undefined;
  return {
    address,
    clients() {
      return [...streams]
        .map(([s, { peer, protocol }]) => ({ node: s.nodeId, peer, protocol, types: s.status() }))
        .sort((a, b) => a.node.localeCompare(b.node) || a.peer.localeCompare(b.peer));
    },
    stats() {
      let namesKept = 0;
      for (const s of streams.keys()) namesKept += s.namesKept();
      return { ...cache.stats, responsesEncoded: responses.encoded, responsesCopied: responses.copied, compared: responses.compared, namesKept, responseBytesHeld: responses.bytesHeld };
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        unsubscribe();
        pacer.close();
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
