// The ADS clients of bench/scale-xds.ts, in their own process (so their decoding does not run on
// the server's event loop): `count` streams to ADDRESS, the first half state of the world, the
// rest delta, each subscribing as an Envoy does (listeners and clusters by wildcard, then the
// endpoints of every cluster and the route configurations its listeners name) and ACKing every
// response at once. Told "measure" over IPC, it reports the time of the last ACK of each stream
// once every stream has ACKed something and QUIET_MS passed without a response. With MODE `vhds`
// the delta streams ask for VHDS (node metadata `sluice.vhds`) and, once their route
// configurations came, subscribe to virtual hosts as Envoy does (a first request naming nothing).
// SOTW is how many of the streams speak state of the world (half by default).
//   forked by bench/scale-xds.ts: node --import tsx bench/scale-xds-clients.ts ADDRESS COUNT [MODE=vhds|plain] [SOTW]
import * as grpc from '@grpc/grpc-js';
import { TypeUrl } from '../src/xds/protos.ts';
import { adsServiceDefinition } from '../src/xds/service.ts';
import { skim, type Skimmed } from './scale-xds-skim.ts';

const [address = '', countArg = '100', mode = 'vhds', sotwArg] = process.argv.slice(2);
const VIRTUAL_HOST = 'type.googleapis.com/envoy.config.route.v3.VirtualHost';
const count = Number(countArg);
const sotwCount = sotwArg === undefined ? count / 2 : Number(sotwArg);
const QUIET_MS = 500;
const ROUTES = ['external', 'external-tls', 'local'];
const now = () => performance.timeOrigin + performance.now();
// Responses are skimmed, not decoded (scale-xds-skim.ts): the clients measure the server, not protobufjs.
const ads = adsServiceDefinition();
const Client = grpc.makeGenericClientConstructor(
  {
    StreamAggregatedResources: { ...ads.StreamAggregatedResources!, responseDeserialize: (b: Buffer) => skim(b, false) },
    DeltaAggregatedResources: { ...ads.DeltaAggregatedResources!, responseDeserialize: (b: Buffer) => skim(b, true) },
  },
  'AggregatedDiscoveryService',
);
const node = (i: number) => ({ id: `bench-${i}`, cluster: 'bench', user_agent_name: 'scale-xds' });

interface Stream {
  lastAck: number;
  responses: number;
  /** bytes of resources received */
  bytes: number;
  /** types that have had a first answer */
  synced: Set<string>;
  /** how many types it subscribes to */
  types: number;
  delta: boolean;
}
const streams: Stream[] = [];
const clients: grpc.Client[] = [];
let lastResponse = now();

function sotwStream(i: number): void {
  const client = new Client(address, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': -1 });
  clients.push(client);
  const call = (client as unknown as { StreamAggregatedResources(): grpc.ClientDuplexStream<object, Skimmed> }).StreamAggregatedResources();
  const s: Stream = { lastAck: 0, responses: 0, bytes: 0, synced: new Set(), types: 4, delta: false };
  streams.push(s);
  const names = new Map<string, string[]>([[TypeUrl.listener, []], [TypeUrl.cluster, []], [TypeUrl.route, ROUTES]]);
  call.on('data', (r: Skimmed) => {
    lastResponse = now();
    s.responses++;
    s.bytes += r.bytes;
    call.write({ type_url: r.type_url, version_info: r.version_info, response_nonce: r.nonce, resource_names: names.get(r.type_url) ?? [] });
    s.lastAck = now();
    s.synced.add(r.type_url);
  });
  call.on('error', () => {});
  call.write({ node: node(i), type_url: TypeUrl.listener, resource_names: [] });
  call.write({ type_url: TypeUrl.cluster, resource_names: [] });
  call.write({ type_url: TypeUrl.route, resource_names: ROUTES });
  endpointNames.then((list) => {
    names.set(TypeUrl.endpoint, list);
    call.write({ type_url: TypeUrl.endpoint, resource_names: list });
  });
}

function deltaStream(i: number): void {
  const client = new Client(address, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': -1 });
  clients.push(client);
  const call = (client as unknown as { DeltaAggregatedResources(): grpc.ClientDuplexStream<object, Skimmed> }).DeltaAggregatedResources();
  const vhds = mode === 'vhds';
  const s: Stream = { lastAck: 0, responses: 0, bytes: 0, synced: new Set(), types: vhds ? 5 : 4, delta: true };
  streams.push(s);
  call.on('data', (r: Skimmed) => {
    lastResponse = now();
    s.responses++;
    s.bytes += r.bytes;
    call.write({ type_url: r.type_url, response_nonce: r.nonce });
    s.lastAck = now();
    if (vhds && r.type_url === TypeUrl.route && !s.synced.has(TypeUrl.route)) call.write({ type_url: VIRTUAL_HOST });
    s.synced.add(r.type_url);
  });
  call.on('error', () => {});
  const metadata = vhds ? { fields: { 'sluice.vhds': { boolValue: true } } } : undefined;
  call.write({ node: { ...node(i), metadata }, type_url: TypeUrl.listener });
  call.write({ type_url: TypeUrl.cluster });
  call.write({ type_url: TypeUrl.route, resource_names_subscribe: ROUTES });
  endpointNames.then((list) => call.write({ type_url: TypeUrl.endpoint, resource_names_subscribe: list }));
}

// The EDS names every client asks for: the parent sends them (the clusters of type EDS).
let gotNames: (names: string[]) => void = () => {};
const endpointNames = new Promise<string[]>((resolve) => (gotNames = resolve));

async function quiet(timeoutMs: number, ready: () => boolean): Promise<void> {
  const start = now();
  while (!(ready() && now() - lastResponse > QUIET_MS)) {
    if (now() - start > timeoutMs) throw new Error('clients did not settle in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

process.on('message', (m: { type: 'start'; endpoints: string[] } | { type: 'measure' } | { type: 'stop' }) => {
  if (m.type === 'start') {
    gotNames(m.endpoints);
    for (let i = 0; i < count; i++) (i < sotwCount ? sotwStream : deltaStream)(i);
    void quiet(600_000, () => streams.every((s) => s.synced.size === s.types)).then(
      () => process.send?.({ type: 'synced', responses: streams.reduce((n, s) => n + s.responses, 0) }),
      (err: unknown) => process.send?.({ type: 'error', message: String(err) }),
    );
  } else if (m.type === 'measure') {
    const marks = streams.map((s) => s.responses);
    const bytes = streams.map((s) => s.bytes);
    void quiet(120_000, () => streams.every((s, i) => s.responses > (marks[i] ?? 0))).then(
      () => {
        const sent = (delta: boolean) => streams.reduce((n, s, i) => (s.delta === delta ? n + s.bytes - (bytes[i] ?? 0) : n), 0);
        const responses = streams.reduce((n, s, i) => n + s.responses - (marks[i] ?? 0), 0);
        process.send?.({ type: 'acked', lastAcks: streams.map((s) => s.lastAck), responses, bytes: sent(false) + sent(true), sotwBytes: sent(false), deltaBytes: sent(true) });
      },
      (err: unknown) => process.send?.({ type: 'error', message: String(err) }),
    );
  } else {
    for (const c of clients) c.close();
    process.exit(0);
  }
});
