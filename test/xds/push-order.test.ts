// A mixed fleet: after an edit, a delta client's small response is written out before any state-
// of-the-world client's whole route configuration is handed to grpc-js, and the SotW streams are
// pushed one after the other while their written bytes exceed the server's budget. Order of the
// server's writes (its debug log: queued when handed to grpc-js, written when grpc-js calls back),
// not timings. Real server, real gRPC clients on 127.0.0.1.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import type { Cluster, Snapshot, VirtualHost } from '../../src/snapshot/types.ts';
import { TypeUrl } from '../../src/xds/protos.ts';
import { startXdsServer } from '../../src/xds/server.ts';
import { delta, node, recordingLog, sotw } from './ads-client.ts';
import { DEFAULT_ADDRESSES, resultOf } from './helpers.ts';

const HOSTS = 2000;
const SOTW_CLIENTS = 3;

/** HOSTS virtual hosts on the external listener (a route configuration of some hundred KiB); host 0's split is `percent`/rest. */
function manyHosts(version: number, percent: number): Snapshot {
  const vhost = (i: number): VirtualHost => ({
    name: `default/app-${i}/0`,
    domains: [`app-${i}.example.com`],
    ingress: `default/app-${i}`,
    httpOption: 'Enabled',
    routes: [
      {
        ingress: `default/app-${i}`,
        path: { type: 'prefix', value: `/app-${i}-path-long-enough-to-weigh` },
        headers: [],
        query: [],
        filters: [],
        splits: [
          { cluster: 'default/a:80', weight: i === 0 ? percent : 90, filters: [] },
          { cluster: 'default/b:80', weight: i === 0 ? 100 - percent : 10, filters: [] },
        ],
      },
    ],
  });
  const cluster = (name: string): Cluster => ({ name, protocol: 'http1', type: 'static', endpoints: [{ address: '127.0.0.1', port: 80 }] });
  return {
    version,
    hash: `v${version}`,
    listeners: { external: Array.from({ length: HOSTS }, (_, i) => vhost(i)), local: [] },
    ports: [],
    clusters: [cluster('default/a:80'), cluster('default/b:80')],
    tls: [],
    ingresses: [],
  };
}

type Line = { message: string; fields: { node?: string; protocol?: string; bytes?: number } };

/** Starts a server with SOTW_CLIENTS SotW clients and one delta client holding the route configuration, edits host 0, returns the write log of the edit. */
async function editLog(pushBytesInFlight?: number): Promise<Line[]> {
  const feed = new SettableFeed();
  const first = manyHosts(1, 90);
  feed.publish(first, resultOf(first));
  const log = recordingLog();
  // A loaded machine must not make the bounded wait for a slow client decide the order.
  const server = await startXdsServer({
    address: '127.0.0.1:0',
    feed,
    listenerAddresses: DEFAULT_ADDRESSES,
    log,
    pushStallMs: 60_000,
    ...(pushBytesInFlight === undefined ? {} : { pushBytesInFlight }),
  });
  const sotws = Array.from({ length: SOTW_CLIENTS }, () => sotw(server.address));
  const d = delta(server.address);
  try {
    await Promise.all(
      sotws.map(async (c, i) => {
        c.send({ node: node(`sotw-${i}`), type_url: TypeUrl.route, resource_names: ['external'] });
        const r = await c.next();
        assert.equal(r.resources.length, 1);
        c.send({ type_url: TypeUrl.route, resource_names: ['external'], version_info: r.version_info, response_nonce: r.nonce });
      }),
    );
    d.send({ node: node('delta'), type_url: TypeUrl.route, resource_names_subscribe: ['external'] });
    const r = await d.next();
    d.send({ type_url: TypeUrl.route, response_nonce: r.nonce });
    const from = log.lines.length;
    const edited = manyHosts(2, 80);
    feed.publish(edited, resultOf(edited));
    const answers = await Promise.all([d.next(), ...sotws.map((c) => c.next())]);
    for (const a of answers) assert.equal(a.type_url, TypeUrl.route);
    // Every write of the edit called back (the last client's answer came; its callback may be a turn later).
    const written = () => log.lines.slice(from).filter((l) => l.message === 'xDS response written').length;
    for (let turns = 0; written() < SOTW_CLIENTS + 1 && turns < 100; turns++) await new Promise((resolve) => setImmediate(resolve));
    return log.lines.slice(from).filter((l) => l.message.startsWith('xDS response ')) as Line[];
  } finally {
    for (const c of [...sotws, d]) c.close();
    await server.close();
  }
}

const at = (lines: Line[], message: string, protocol: string) => lines.flatMap((l, i) => (l.message === message && l.fields.protocol === protocol ? [i] : []));

test("after an edit, the delta client's response is written out before any SotW client's is queued", async () => {
  const lines = await editLog();
  const deltaWritten = at(lines, 'xDS response written', 'delta');
  const sotwQueued = at(lines, 'xDS response queued', 'sotw');
  assert.equal(deltaWritten.length, 1, 'one delta response for the edit');
  assert.equal(sotwQueued.length, SOTW_CLIENTS, 'one SotW response per SotW client');
  assert.ok(deltaWritten[0]! < Math.min(...sotwQueued), `delta written at ${deltaWritten[0]}, SotW queued at ${sotwQueued.join(', ')}: ${lines.map((l) => `${l.message} ${l.fields.protocol}`).join('; ')}`);
  const bytes = lines[sotwQueued[0]!]!.fields.bytes!;
  assert.ok(bytes > 100 * 1024, `a large route configuration (${bytes} bytes)`);
});

test('SotW streams are pushed one at a time while their unsent bytes exceed the budget', async () => {
  const lines = await editLog(1);
  const sotwLines = lines.filter((l) => l.fields.protocol === 'sotw').map((l) => `${l.message === 'xDS response queued' ? 'queued' : 'written'} ${l.fields.node}`);
  // Each SotW push waits for the one before it to be sent.
  const expected = sotwLines.filter((l) => l.startsWith('queued')).flatMap((l) => [l, l.replace('queued', 'written')]);
  assert.deepEqual(sotwLines, expected);
});
