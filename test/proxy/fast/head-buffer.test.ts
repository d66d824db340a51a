// The fast path builds heads as bytes in one buffer per listener (head-buffer.ts): the bytes must be
// the ones the string heads made, and a buffer a pending write still holds must never be reused.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { copyBytes, HeadBuffer, putLatin1 } from '../../../src/proxy/fast/head-buffer.ts';
import { requestHead, requestHeadSize, writeRequestHead } from '../../../src/proxy/fast/wire.ts';

const REQUESTS: Array<[string, string, string[], boolean]> = [
  ['GET', '/', ['host', 'a.example'], false],
  ['GET', '/', [], false],
  ['POST', '/upload?x=1&y=%20', ['host', 'a.example', 'Content-Length', '5', 'x-forwarded-proto', 'http'], false],
  ['PUT', '/c', ['host', 'a', 'X-Empty', '', 'X-Spaces', '  a  b  '], true],
  // latin1 bytes as node:http hands them over, and a UTF-16 unit above 0xff (a route's edit): low byte, as 'latin1'
  ['GET', '/caf\u00e9', ['x-latin1', 'na\u00efve \u00ff', 'x-wide', 'price \u20ac5 \u{1f600}'], false],
  ['OPTIONS', '*', ['host', 'a', 'cookie', 'a=1; b=2', 'cookie', 'c=3'], false],
  ['GET', `/${'p'.repeat(20_000)}`, ['host', 'a', 'x-long', 'v'.repeat(40_000)], false],
];

test('request heads written as bytes are the string heads, byte for byte', () => {
  const heads = new HeadBuffer();
  for (const [method, url, headers, chunked] of REQUESTS) {
    const want = Buffer.from(requestHead(method, url, headers, chunked), 'latin1');
    const size = requestHeadSize(method, url, headers, chunked);
    assert.equal(size, want.length, `${method} ${url.slice(0, 20)}: size`);
    const room = heads.room(size);
    assert.ok(room.length >= size);
    assert.equal(writeRequestHead(room, method, url, headers, chunked), size);
    assert.deepEqual(room.subarray(0, size), want, `${method} ${url.slice(0, 20)}`);
  }
});

test('putLatin1 and copyBytes match Buffer.write and Buffer.copy', () => {
  const s = 'a\u00e9\u0100\u20ac\r\n';
  const b = Buffer.alloc(s.length);
  putLatin1(b, 0, s);
  assert.deepEqual(b, Buffer.from(s, 'latin1'));
  const src = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
  for (const [start, end] of [[0, 0], [3, 40], [0, 1000], [10, 700]] as const) {
    const out = Buffer.alloc(1100, 7);
    const want = Buffer.alloc(1100, 7);
    src.copy(want, 5, start, end);
    assert.equal(copyBytes(out, 5, src, start, end), 5 + end - start);
    assert.deepEqual(out, want);
  }
});

/** A server that collects what one connection sends until it ends. */
async function collector(): Promise<{ port: number; received: Promise<Buffer>; close: () => void }> {
  let done!: (b: Buffer) => void;
  const received = new Promise<Buffer>((r) => (done = r));
  const server = net.createServer((s) => {
    const parts: Buffer[] = [];
    s.on('data', (d: Buffer) => parts.push(d));
    s.on('end', () => {
      done(Buffer.concat(parts));
      s.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as net.AddressInfo).port, received, close: () => server.close() };
}

test('a head a connecting or corked socket cannot write at once is not overwritten by the next head', async () => {
  const sink = await collector();
  const heads = new HeadBuffer();
  try {
    // Not yet connected: the write waits, so it gets a copy; the buffer is free for the next head.
    const s = net.connect(sink.port, '127.0.0.1');
    const a = heads.room(3);
    putLatin1(a, 0, 'one');
    heads.send(s, 3);
    assert.equal(heads.copied, 1);
    const b = heads.room(3);
    putLatin1(b, 0, 'TWO');
    // Corked: the same.
    s.cork();
    putLatin1(heads.room(3), 0, '-2-');
    heads.send(s, 3);
    putLatin1(heads.room(3), 0, 'XXX');
    s.uncork();
    assert.equal(heads.copied, 2);
    await new Promise<void>((r) => s.once('connect', () => r()));
    await new Promise<void>((r) => s.end(() => r()));
    const got = await Promise.race([sink.received, new Promise<Buffer>((_, j) => setTimeout(() => j(new Error('nothing in 5 s')), 5000).unref())]);
    assert.equal(got.toString('latin1'), 'one-2-');
  } finally {
    sink.close();
  }
});

test('a head written at once leaves the buffer for the next head (no new buffer per request)', async () => {
  const sink = await collector();
  const heads = new HeadBuffer();
  try {
    const s = net.connect(sink.port, '127.0.0.1');
    await new Promise<void>((r) => s.once('connect', () => r()));
    const first = heads.room(10);
    const sent: string[] = [];
    for (let i = 0; i < 50; i++) {
      const text = `head ${i};`;
      const room = heads.room(text.length);
      assert.equal(room.buffer, first.buffer, `head ${i} reuses the buffer`);
      heads.send(s, putLatin1(room, 0, text));
      sent.push(text);
    }
    assert.deepEqual([heads.copied, heads.lent], [0, 0]);
    s.end();
    const got = await Promise.race([sink.received, new Promise<Buffer>((_, j) => setTimeout(() => j(new Error('nothing in 5 s')), 5000).unref())]);
    assert.equal(got.toString('latin1'), sent.join(''));
  } finally {
    sink.close();
  }
});

test('a head the kernel took only part of keeps its buffer; the next head gets a new one', async () => {
  const sink = await collector();
  const heads = new HeadBuffer();
  try {
    const s = net.connect(sink.port, '127.0.0.1');
    await new Promise<void>((r) => s.once('connect', () => r()));
    // More than a loopback socket's send buffer takes in one go.
    const size = 32 * 1024 * 1024;
    const a = heads.room(size);
    for (let i = 0; i < size; i++) a[i] = i % 253;
    const want = Buffer.from(a.subarray(0, size));
    heads.send(s, size);
    assert.equal(heads.lent, 1);
    const b = heads.room(size);
    assert.notEqual(b.buffer, a.buffer);
    b.fill(0x58, 0, size);
    s.end();
    const got = await Promise.race([sink.received, new Promise<Buffer>((_, j) => setTimeout(() => j(new Error('not all in 20 s')), 20_000).unref())]);
    assert.ok(got.equals(want), 'the pending write sent the bytes as they were');
  } finally {
    sink.close();
  }
});
