// A response shared by many streams goes on the wire as one gRPC frame, built once with the
// response: every stream's HTTP/2 stream is handed the same bytes, not a copy of its own (grpc-js
// would otherwise frame, i.e. copy, each message per stream). Real server, real gRPC clients;
// the writes are seen where grpc-js hands them to node:http2. Delta streams are pushed first.
import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import { after, before, test } from 'node:test';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import type { Snapshot } from '../../src/snapshot/types.ts';
import { TypeUrl } from '../../src/xds/protos.ts';
import { startXdsServer, type XdsServer } from '../../src/xds/server.ts';
import { delta, node, sotw } from './ads-client.ts';
import { DEFAULT_ADDRESSES, resultOf, splitSnapshot } from './helpers.ts';

const CLIENTS = 6;
const NAMES = ['default/a:80', 'default/b:80'];
const feed = new SettableFeed();
let server: XdsServer;

const snapshot = (version: number, bPort: number): Snapshot =>
  splitSnapshot(version, 'hello.example.com', [
    { cluster: NAMES[0]!, port: 1, percent: 50 },
    { cluster: NAMES[1]!, port: bPort, percent: 50 },
  ]);

before(async () => {
  const s = snapshot(1, 2);
  feed.publish(s, resultOf(s));
  server = await startXdsServer({ address: '127.0.0.1:0', feed, listenerAddresses: DEFAULT_ADDRESSES });
});
after(() => server.close());

/** The buffers written to the server's HTTP/2 streams while `run` runs. */
async function serverWrites(run: () => Promise<void>): Promise<Buffer[]> {
  const written: Buffer[] = [];
  // Duplex has Writable's methods copied onto its prototype: http2 streams write through this one.
  const write = Duplex.prototype.write;
  Duplex.prototype.write = function (this: Duplex, chunk: unknown, ...rest: unknown[]) {
    if (this.constructor.name === 'ServerHttp2Stream' && Buffer.isBuffer(chunk)) written.push(chunk);
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof write;
  try {
    await run();
  } finally {
    Duplex.prototype.write = write;
  }
  return written;
}

/** How many distinct pieces of memory `buffers` are (small buffers share a pool: told apart by offset). */
function distinctMemory(buffers: readonly Buffer[]): number {
  const offsets = new Map<ArrayBufferLike, Set<number>>();
  for (const b of buffers) offsets.set(b.buffer, (offsets.get(b.buffer) ?? new Set()).add(b.byteOffset));
  return [...offsets.values()].reduce((n, s) => n + s.size, 0);
}

test('a change pushed to several SotW and delta streams is written from one frame per kind, not one copy per stream', async () => {
  const sotws = Array.from({ length: CLIENTS }, () => sotw(server.address));
  const deltas = Array.from({ length: CLIENTS }, () => delta(server.address));
  try {
    await Promise.all(
      sotws.map(async (c, i) => {
        c.send({ node: node(`sotw-${i}`), type_url: TypeUrl.endpoint, resource_names: NAMES });
        const r = await c.next();
        c.send({ type_url: TypeUrl.endpoint, resource_names: NAMES, version_info: r.version_info, response_nonce: r.nonce });
      }),
    );
    await Promise.all(
      deltas.map(async (c, i) => {
        c.send({ node: node(`delta-${i}`), type_url: TypeUrl.endpoint, resource_names_subscribe: NAMES });
        const r = await c.next();
        c.send({ type_url: TypeUrl.endpoint, response_nonce: r.nonce });
      }),
    );
    let sotwNonce = '';
    let deltaNonce = '';
    const written = await serverWrites(async () => {
      const s = snapshot(2, 9);
      feed.publish(s, resultOf(s));
      const answers = await Promise.all(sotws.map((c) => c.next()));
      const deltaAnswers = await Promise.all(deltas.map((c) => c.next()));
      sotwNonce = answers[0]!.nonce;
      deltaNonce = deltaAnswers[0]!.nonce;
    });
    // gRPC messages (5-byte frame header, then the response) carrying the change: 12, from 2 buffers.
    const messages = written.filter((b) => b.length > 5 && b[0] === 0 && b.readUInt32BE(1) === b.length - 5);
    // The nonce is a response's last field (5, length-delimited).
    const nonceField = (nonce: string) => Buffer.concat([Buffer.from([(5 << 3) | 2, nonce.length]), Buffer.from(nonce)]);
    const carries = (nonce: string) => (b: Buffer) => b.subarray(b.length - nonce.length - 2).equals(nonceField(nonce)) && b.includes(Buffer.from('default/b:80'));
    const carrying = (nonce: string) => messages.filter(carries(nonce));
    const positions = (nonce: string) => messages.flatMap((b, i) => (carries(nonce)(b) ? [i] : []));
    assert.equal(carrying(sotwNonce).length, CLIENTS);
    assert.equal(carrying(deltaNonce).length, CLIENTS);
    assert.equal(distinctMemory(carrying(sotwNonce)), 1, 'every SotW stream written from the same memory');
    // The SotW streams connected first, yet the delta streams' (small) changes are written first.
    assert.ok(Math.max(...positions(deltaNonce)) < Math.min(...positions(sotwNonce)), 'delta streams pushed before SotW ones');
    assert.equal(distinctMemory(carrying(deltaNonce)), 1, 'every delta stream written from the same memory');
  } finally {
    for (const c of [...sotws, ...deltas]) c.close();
  }
});
