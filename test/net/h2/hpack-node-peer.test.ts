// HPACK against a real peer: node:http2 (nghttp2) as the client of a raw-socket server. Its
// request header blocks, with its own dynamic table use and Huffman choices, go through our
// decoder; our encoder's response blocks go to node's decoder.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { after, describe, it } from 'node:test';
import { HpackDecoder } from '../../../src/net/h2/hpack-decoder.ts';
import { HpackEncoder } from '../../../src/net/h2/hpack-encoder.ts';
import { mulberry32 } from '../../support/prng.ts';
import { FLAG, FRAME, type RawConnection, type RawServer, startRawServer } from './hpack-raw-server.ts';

type Headers = Record<string, string | string[]>;

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
};

function request(session: http2.ClientHttp2Session, headers: Headers): Promise<http2.IncomingHttpHeaders> {
  return within(
    new Promise((resolve, reject) => {
      const req = session.request(headers, { endStream: true });
      req.on('response', (h) => {
        req.resume();
        req.on('end', () => resolve(h));
      });
      req.on('error', reject);
    }),
    10_000,
    'request',
  );
}

/** name\0value pairs, sorted, so a list compares regardless of how the peer ordered regular fields */
const pairsOf = (h: Headers): string[] =>
  Object.entries(h).flatMap(([n, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${n}\0${x}`)).sort();
const pairsOfList = (flat: string[]): string[] => {
  const out: string[] = [];
  for (let i = 0; i < flat.length; i += 2) out.push(`${flat[i]}\0${flat[i + 1]}`);
  return out.sort();
};

function randomText(rnd: () => number, len: number, high: boolean): string {
  let s = '';
  for (let i = 0; i < len; i++) {
    const c = high && rnd() < 0.1 ? 0xa0 + Math.floor(rnd() * 0x60) : 0x20 + Math.floor(rnd() * 0x5f);
    s += String.fromCharCode(c);
  }
  return s.trim() || 'v';
}

/** Random request headers from small pools (so the peer's table gets reused) with some one-off and long values. */
function randomRequest(rnd: () => number): Headers {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const h: Headers = {
    ':method': pick(['GET', 'POST', 'PUT']),
    ':scheme': 'http',
    ':authority': pick(['a.example.com', 'b.example.com:8080']),
    ':path': pick(['/', '/index.html', `/items/${Math.floor(rnd() * 1000)}?q=${randomText(rnd, 5, false).replace(/[^a-z]/gi, 'x')}`]),
  };
  const names = ['user-agent', 'accept', 'accept-encoding', 'accept-language', 'authorization', 'cookie', 'cache-control', 'x-request-id', 'x-custom-a', 'x-custom-b', 'referer'];
  for (const name of names) {
    const r = rnd();
    if (r < 0.4) continue;
    h[name] = r < 0.8 ? `${name}-value-${Math.floor(rnd() * 3)}` : randomText(rnd, 1 + Math.floor(rnd() * (rnd() < 0.2 ? 400 : 30)), true);
  }
  if (rnd() < 0.3) h['x-multi'] = ['one', randomText(rnd, 8, false)];
  return h;
}

describe('HPACK decoder against node:http2 (nghttp2) as the peer', () => {
  const servers: RawServer[] = [];
  after(() => Promise.all(servers.map((s) => s.close())));

  for (const ourTableSize of [4096, 256]) {
    it(`decodes 300 random requests on one connection with the table we advertise at ${ourTableSize}`, { timeout: 30_000 }, async () => {
      const decoder = new HpackDecoder();
      const got = new Map<number, string[]>();
      const server = await startRawServer({
        settings: ourTableSize === 4096 ? [] : [[1, ourTableSize]],
        onSettingsAck: () => decoder.setMaxTableSize(ourTableSize),
        onHeaders(streamId, block, c) {
          const out: string[] = [];
          decoder.decode(block, 0, block.length, out);
          got.set(streamId, out);
          c.frame(FRAME.HEADERS, FLAG.END_HEADERS | FLAG.END_STREAM, streamId, Uint8Array.of(0x88)); // :status 200
        },
      });
      servers.push(server);
      const session = http2.connect(`http://127.0.0.1:${server.port}`);
      session.on('error', () => {});
      try {
        const rnd = mulberry32(ourTableSize);
        const sent: Headers[] = [];
        for (let batch = 0; batch < 30; batch++) {
          const hs = Array.from({ length: 10 }, () => randomRequest(rnd));
          sent.push(...hs);
          const responses = await Promise.all(hs.map((h) => request(session, h)));
          for (const r of responses) assert.equal(r[':status'], 200);
        }
        assert.deepEqual(server.errors, []);
        assert.equal(got.size, sent.length);
        // streams 1, 3, 5, ... in the order the requests were made
        sent.forEach((h, i) => assert.deepEqual(pairsOfList(got.get(1 + 2 * i)!), pairsOf(h), `request ${i}`));
        assert.ok(decoder.dynamicTableSize > 0 && decoder.dynamicTableSize <= ourTableSize);
      } finally {
        session.destroy();
      }
    });
  }
});

/** Random response fields from small pools, with set-cookie sometimes twice, as a flat list. */
function randomResponse(rnd: () => number): string[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const out = [':status', pick(['200', '200', '302', '404', '503'])];
  const names = ['content-type', 'content-length', 'date', 'server', 'cache-control', 'vary', 'etag', 'location', 'x-a', 'x-b'];
  for (const name of names) {
    const r = rnd();
    if (r < 0.3) continue;
    // (nghttp2 checks content-length against the body: this one has none)
    if (name === 'content-length') out.push(name, '0');
    else out.push(name, r < 0.8 ? `${name}-${Math.floor(rnd() * 3)}` : randomText(rnd, 1 + Math.floor(rnd() * (rnd() < 0.2 ? 500 : 30)), true));
  }
  for (let k = Math.floor(rnd() * 3); k > 0; k--) out.push('set-cookie', `id=${Math.floor(rnd() * 5)}; Path=/`);
  return out;
}

/** What node's client makes of a field list: ':status' a number, set-cookie an array. */
function asNodeHeaders(flat: string[]): Headers {
  const h: Headers = {};
  for (let i = 0; i < flat.length; i += 2) {
    const [n, v] = [flat[i]!, flat[i + 1]!];
    if (n === 'set-cookie') ((h[n] ??= []) as string[]).push(v);
    else h[n] = v;
  }
  return h;
}

/** HEADERS then CONTINUATIONs of at most 16,384 octets (the peer's default SETTINGS_MAX_FRAME_SIZE). */
function sendBlock(c: RawConnection, streamId: number, block: Buffer): void {
  const max = 16_384;
  for (let at = 0; at === 0 || at < block.length; at += max) {
    const part = block.subarray(at, at + max);
    const last = at + max >= block.length;
    c.frame(at === 0 ? FRAME.HEADERS : FRAME.CONTINUATION, (last ? FLAG.END_HEADERS : 0) | (at === 0 ? FLAG.END_STREAM : 0), streamId, part);
  }
}

describe('HPACK encoder against node:http2 (nghttp2) as the peer', () => {
  const servers: RawServer[] = [];
  after(() => Promise.all(servers.map((s) => s.close())));

  for (const peerTableSize of [4096, 256, 0]) {
    it(`node decodes 300 random responses on one connection with its table at ${peerTableSize}`, { timeout: 30_000 }, async () => {
      const decoder = new HpackDecoder();
      const encoder = new HpackEncoder();
      const rnd = mulberry32(peerTableSize + 1);
      const sent = new Map<number, string[]>();
      const server = await startRawServer({
        onSettings: (params) => {
          const size = params.get(1);
          if (size !== undefined) encoder.setPeerMaxTableSize(size);
        },
        onHeaders(streamId, block, c) {
          decoder.decode(block, 0, block.length, []);
          const fields = randomResponse(rnd);
          sent.set(streamId, fields);
          // half through encodeInto at an offset, half through encode
          if (streamId % 4 === 1) {
            const out = Buffer.alloc(8192);
            const end = encoder.encodeInto(fields, out, 3);
            sendBlock(c, streamId, out.subarray(3, end === -1 ? 3 : end));
          } else sendBlock(c, streamId, encoder.encode(fields));
        },
      });
      servers.push(server);
      const session = http2.connect(`http://127.0.0.1:${server.port}`, { settings: { headerTableSize: peerTableSize } });
      session.on('error', () => {});
      try {
        const reqRnd = mulberry32(99);
        for (let batch = 0; batch < 30; batch++) {
          const responses = await Promise.all(Array.from({ length: 10 }, () => request(session, randomRequest(reqRnd))));
          responses.forEach((r, i) => {
            const streamId = 1 + 2 * (batch * 10 + i);
            const { ':status': status, ...rest } = r;
            const expected = asNodeHeaders(sent.get(streamId)!);
            assert.deepEqual(pairsOf({ ...(rest as Headers), ':status': String(status) }), pairsOf(expected), `response on stream ${streamId}`);
          });
        }
        assert.deepEqual(server.errors, []);
      } finally {
        session.destroy();
      }
    });
  }
});
