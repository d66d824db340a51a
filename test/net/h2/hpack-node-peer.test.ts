// HPACK against a real peer: node:http2 (nghttp2) as the client of a raw-socket server. Its
// request header blocks, with its own dynamic table use and Huffman choices, go through our
// decoder; our encoder's response blocks go to node's decoder.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { after, describe, it } from 'node:test';
import { HpackDecoder } from '../../../src/net/h2/hpack-decoder.ts';
import { mulberry32 } from '../../support/prng.ts';
import { FLAG, FRAME, type RawServer, startRawServer } from './hpack-raw-server.ts';

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
