// The ADS clients of bench/scale-xds.ts, in a process of their own (so their work does not run on
// the server's event loop; the bench may start several such processes, each with some of the
// streams): each stream subscribes as an Envoy does (listeners and clusters by wildcard, then the
// endpoints of every cluster and the route configurations its listeners name) and ACKs every
// response at once. A stream counts as synced when it holds every name the parent says the server
// serves and has ACKed every response (scale-xds-holdings.ts); told "measure" with the names an
// edit changes, it reports when each stream ACKed the last response carrying them. Delta streams
// of a `vhds` start ask for VHDS (node metadata `sluice.vhds`) and, once their route
// configurations came, subscribe to virtual hosts as Envoy does (a first request naming nothing).
//   forked by bench/scale-xds.ts: node --import tsx bench/scale-xds-clients.ts ADDRESS
import * as grpc from '@grpc/grpc-js';
import { TypeUrl } from '../src/xds/protos.ts';
import { adsServiceDefinition } from '../src/xds/service.ts';
import { Holdings } from './scale-xds-holdings.ts';
import { ROUTES, type NamesByType } from './scale-xds-names.ts';
import { skim, type Skimmed } from './scale-xds-skim.ts';

const [address = ''] = process.argv.slice(2);
const now = () => performance.timeOrigin + performance.now();
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
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
const asMap = (names: NamesByType) => new Map(Object.entries(names));
const asSets = (names: NamesByType) => new Map(Object.entries(names).map(([t, l]) => [t, new Set(l)]));

export type ClientsCommand =
  | { type: 'start'; streams: Array<{ index: number; delta: boolean }>; vhds: boolean; sotwNames: NamesByType; deltaNames: NamesByType }
  | { type: 'measure'; sotwChanged: NamesByType; deltaChanged: NamesByType }
  | { type: 'stop' };
export type ClientsReport =
  | { type: 'synced'; at: number; responses: number; cpuMs: number }
  | { type: 'watching' }
  | { type: 'acked'; acks: number[]; bytes: number[]; byType: Array<Record<string, number>>; responses: number; cpuMs: number }
  | { type: 'error'; message: string };

const holdings: Holdings[] = [];
/** whether each stream of `holdings` is a delta one */
const isDelta: boolean[] = [];
const clients: grpc.Client[] = [];

function sotwStream(i: number, wanted: NamesByType): Holdings {
  const client = new Client(address, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': -1 });
  clients.push(client);
  const call = (client as unknown as { StreamAggregatedResources(): grpc.ClientDuplexStream<object, Skimmed> }).StreamAggregatedResources();
  const h = new Holdings(asSets(wanted), false);
  const names = new Map<string, string[]>([[TypeUrl.listener, []], [TypeUrl.cluster, []], [TypeUrl.route, [...ROUTES]], [TypeUrl.endpoint, wanted[TypeUrl.endpoint] ?? []]]);
  call.on('data', (r: Skimmed) => {
    h.received(r);
    call.write({ type_url: r.type_url, version_info: r.version_info, response_nonce: r.nonce, resource_names: names.get(r.type_url) ?? [] });
    h.acked(r.nonce, now());
  });
  call.on('error', () => {});
  call.write({ node: node(i), type_url: TypeUrl.listener, resource_names: [] });
  call.write({ type_url: TypeUrl.cluster, resource_names: [] });
  call.write({ type_url: TypeUrl.route, resource_names: ROUTES });
  call.write({ type_url: TypeUrl.endpoint, resource_names: names.get(TypeUrl.endpoint) });
  return h;
}

function deltaStream(i: number, wanted: NamesByType, vhds: boolean): Holdings {
  const client = new Client(address, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': -1 });
  clients.push(client);
  const call = (client as unknown as { DeltaAggregatedResources(): grpc.ClientDuplexStream<object, Skimmed> }).DeltaAggregatedResources();
  const h = new Holdings(asSets(wanted), true);
  let routes = false;
  call.on('data', (r: Skimmed) => {
    h.received(r);
    call.write({ type_url: r.type_url, response_nonce: r.nonce });
    h.acked(r.nonce, now());
    if (vhds && r.type_url === TypeUrl.route && !routes) call.write({ type_url: TypeUrl.vhost });
    if (r.type_url === TypeUrl.route) routes = true;
  });
  call.on('error', () => {});
  const metadata = vhds ? { fields: { 'sluice.vhds': { boolValue: true } } } : undefined;
  call.write({ node: { ...node(i), metadata }, type_url: TypeUrl.listener });
  call.write({ type_url: TypeUrl.cluster });
  call.write({ type_url: TypeUrl.route, resource_names_subscribe: ROUTES });
  call.write({ type_url: TypeUrl.endpoint, resource_names_subscribe: wanted[TypeUrl.endpoint] ?? [] });
  return h;
}

/** Polls `done` (a cheap check of what the streams hold) until true; bounded by `timeoutMs`. */
async function until<T>(timeoutMs: number, done: () => T | undefined, what: () => string): Promise<T> {
  const start = now();
  for (;;) {
    const value = done();
    if (value !== undefined) return value;
    if (now() - start > timeoutMs) throw new Error(`clients did not ${what()} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const missing = () => {
  const behind = holdings.map((h, i) => [i, h.missing()] as const).filter(([, n]) => n > 0);
  return `sync (${behind.length} streams missing resources, e.g. ${behind.slice(0, 3).map(([i, n]) => `#${i}: ${n}`).join(', ')})`;
};

process.on('message', (m: ClientsCommand) => {
  const send = (r: ClientsReport) => process.send?.(r);
  const fail = (err: unknown) => send({ type: 'error', message: String(err) });
  if (m.type === 'start') {
    for (const s of m.streams) {
      holdings.push(s.delta ? deltaStream(s.index, m.deltaNames, m.vhds) : sotwStream(s.index, m.sotwNames));
      isDelta.push(s.delta);
    }
    void until(600_000, () => (holdings.every((h) => h.synced()) ? true : undefined), missing).then(
      () => send({ type: 'synced', at: now(), responses: holdings.reduce((n, h) => n + h.responses, 0), cpuMs: cpuMs() }),
      fail,
    );
  } else if (m.type === 'measure') {
    const cpu0 = cpuMs();
    holdings.forEach((h, i) => h.watch(asMap(isDelta[i] ? m.deltaChanged : m.sotwChanged)));
    send({ type: 'watching' });
    // State-of-the-world clients are sent whole route configurations (tens of MiB each) per edit.
    void until(
      900_000,
      () => {
        const done = holdings.map((h) => h.changeAcked());
        return done.every((d) => d !== undefined) ? done : undefined;
      },
      () => `ACK the change (${holdings.filter((h) => h.changeAcked() === undefined).length} of ${holdings.length} streams not)`,
    ).then((done) => {
      const acks = done.map((d) => d!.at);
      send({ type: 'acked', acks, bytes: done.map((d) => d!.bytes), byType: done.map((d) => d!.byType), responses: done.reduce((n, d) => n + d!.responses, 0), cpuMs: cpuMs() - cpu0 });
    }, fail);
  } else {
    for (const c of clients) c.close();
    process.exit(0);
  }
});
