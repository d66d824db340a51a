// Differential tests: the fast path's strict parser against Node's own (llhttp), on valid requests
// and on request-smuggling shapes. The fast parser may refuse more, never accept more, and must
// agree with llhttp on everything it accepts (method, target, headers, body framing).
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ChunkedDecoder, INVALID } from '../../../src/proxy/fast/chunked.ts';
import { HeadError, parseFinalResponseHead, parseRequestHead, parseResponseHead, ResponseHead, CHUNKED, LENGTH, NO_BODY, UNTIL_CLOSE } from '../../../src/proxy/fast/parse.ts';
import { strictTarget } from '../../../src/proxy/h1-strict.ts';
import { fastVerdict, limits, llhttpAvailable, llhttpVerdict, type Verdict } from './llhttp.ts';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from '../../support/prng.ts';

// Where this Node reaches llhttp only under --expose-internals, the differential tests run in a
// child started with it (below) rather than not at all.
const NEEDS_LLHTTP = { skip: llhttpAvailable ? false : 'runs in a child process with --expose-internals (see below)' };

describe('llhttp differential tests on a Node without process.binding', { skip: llhttpAvailable }, () => {
  it('pass in a child process that can reach llhttp', () => {
    // A child of the test runner would report to it instead of to us: run it as a fresh runner.
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const args = ['--expose-internals', '--import', 'tsx', '--test', '--test-reporter=tap', fileURLToPath(import.meta.url)];
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 100_000, env });
    assert.equal(r.status, 0, `${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`);
    assert.match(r.stdout, /# skipped 0/, 'the child ran every test');
  });
});

const head = (...lines: string[]): string => `${lines.join('\r\n')}\r\n\r\n`;
const GET = (...hs: string[]): string => head('GET /p?q=1 HTTP/1.1', 'Host: a.example', ...hs);
const POST = (...hs: string[]): string => head('POST /up HTTP/1.1', 'Host: a.example', ...hs);

/** [name, bytes (latin1), what the fast parser must say] */
const table: Array<[string, string, Verdict['kind']]> = [
  ['simple GET', GET(), 'accept'],
  ['many headers, mixed case, OWS around values', GET('X-A:  one  ', 'x-b:\ttwo\t', 'X-Empty:', 'Accept: */*', 'Cookie: a=b; c=d'), 'accept'],
  ['obs-text in a value', GET('X-Name: caf\xe9'), 'accept'],
  ['POST with Content-Length', `${POST('Content-Length: 5')}hello`, 'accept'],
  ['Content-Length: 0', POST('Content-Length: 0'), 'accept'],
  ['leading zeros in Content-Length', `${POST('Content-Length: 005')}hello`, 'accept'],
  ['chunked body with extension and trailer', `${POST('Transfer-Encoding: chunked')}5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n`, 'accept'],
  ['chunked, upper-case hex and coding name', `${POST('Transfer-Encoding: CHUNKED')}A\r\n0123456789\r\n0\r\n\r\n`, 'accept'],
  ['Transfer-Encoding with leading OWS (legal)', `${POST('Transfer-Encoding:  chunked')}1\r\na\r\n0\r\n\r\n`, 'accept'],
  ['Connection: close', GET('Connection: close'), 'accept'],
  ['PUT, DELETE, PATCH, OPTIONS, HEAD', head('DELETE /x HTTP/1.1', 'Host: a'), 'accept'],
  ['HEAD', head('HEAD / HTTP/1.1', 'Host: a'), 'accept'],
  ['OPTIONS', head('OPTIONS /x HTTP/1.1', 'Host: a'), 'accept'],
  // CL.TE / TE.CL
  ['Content-Length with Transfer-Encoding (CL.TE)', `${POST('Content-Length: 6', 'Transfer-Encoding: chunked')}0\r\n\r\nG`, 'reject'],
  ['Transfer-Encoding with Content-Length (TE.CL)', `${POST('Transfer-Encoding: chunked', 'Content-Length: 3')}8\r\nSMUGGLED\r\n0\r\n\r\n`, 'reject'],
  // TE.TE obfuscations
  ['Transfer-Encoding: xchunked', `${POST('Transfer-Encoding: xchunked')}0\r\n\r\n`, 'reject'],
  ['Transfer-Encoding: chunked, identity', `${POST('Transfer-Encoding: chunked, identity')}0\r\n\r\n`, 'reject'],
  ['Transfer-Encoding: identity, chunked', `${POST('Transfer-Encoding: identity, chunked')}0\r\n\r\n`, 'reject'],
  ['Transfer-Encoding: gzip', `${POST('Transfer-Encoding: gzip')}0\r\n\r\n`, 'reject'],
  ['two Transfer-Encoding headers', `${POST('Transfer-Encoding: chunked', 'Transfer-Encoding: x')}0\r\n\r\n`, 'reject'],
  ['space before the colon', `${POST('Transfer-Encoding : chunked')}0\r\n\r\n`, 'reject'],
  ['tab before the colon', `${POST('Transfer-Encoding\t: chunked')}0\r\n\r\n`, 'reject'],
  ['vertical tab after chunked', `${POST('Transfer-Encoding: chunked\x0b')}0\r\n\r\n`, 'reject'],
  ['folded Transfer-Encoding', `${POST('Transfer-Encoding:', ' chunked')}0\r\n\r\n`, 'reject'],
  ['Transfer-Encoding: chunked with a quote', `${POST('Transfer-Encoding: "chunked"')}0\r\n\r\n`, 'reject'],
  // Content-Length shapes
  ['Content-Length: +5', `${POST('Content-Length: +5')}hello`, 'reject'],
  ['Content-Length: 0x5', `${POST('Content-Length: 0x5')}hello`, 'reject'],
  ['Content-Length: -1', POST('Content-Length: -1'), 'reject'],
  ['Content-Length: 5 5', `${POST('Content-Length: 5 5')}hello`, 'reject'],
  ['Content-Length: 5,5', `${POST('Content-Length: 5,5')}hello`, 'reject'],
  ['duplicate equal Content-Length', `${POST('Content-Length: 5', 'Content-Length: 5')}hello`, 'reject'],
  ['duplicate differing Content-Length', `${POST('Content-Length: 5', 'Content-Length: 6')}hello!`, 'reject'],
  ['Content-Length beyond 2^53', `${POST('Content-Length: 99999999999999999999')}`, 'reject'],
  // header syntax
  ['space in a header name', GET('Foo Bar: x'), 'reject'],
  ['obsolete line folding', GET('X-A: one', ' two'), 'reject'],
  ['header line starting with a tab', GET('\tX-A: one'), 'reject'],
  ['empty header name', GET(': x'), 'reject'],
  ['NUL in a header value', GET('X-A: a\x00b'), 'reject'],
  ['NUL in a header name', GET('X\x00A: a'), 'reject'],
  ['DEL in a header value', GET('X-A: a\x7fb'), 'reject'],
  ['bare CR in a header value', GET('X-A: a\rb'), 'reject'],
  ['bare LF between headers', 'GET / HTTP/1.1\r\nHost: a\nX-A: b\r\n\r\n', 'reject'],
  ['LF-only line endings', 'GET / HTTP/1.1\nHost: a\n\n', 'reject'],
  ['non-token byte in a name', GET('X\xe9: a'), 'reject'],
  ['missing Host', head('GET / HTTP/1.1', 'X-A: b'), 'reject'],
  ['two Host headers', GET('Host: b.example'), 'reject'],
  // request line
  ['invalid method token', head('G(T / HTTP/1.1', 'Host: a'), 'reject'],
  ['NUL in the target', head('GET /a\x00b HTTP/1.1', 'Host: a'), 'reject'],
  ['space in the target', head('GET /a b HTTP/1.1', 'Host: a'), 'reject'],
  ['fragment in the target', head('GET /a#b HTTP/1.1', 'Host: a'), 'reject'],
  ['two spaces after the method', head('GET  / HTTP/1.1', 'Host: a'), 'reject'],
  ['HTTP/1.2', head('GET / HTTP/1.2', 'Host: a'), 'reject'],
  ['HTTP/2.0', head('GET / HTTP/2.0', 'Host: a'), 'reject'],
  ['lower-case version', head('GET / http/1.1', 'Host: a'), 'reject'],
  ['space after the version', head('GET / HTTP/1.1 ', 'Host: a'), 'reject'],
  ['head larger than the limit', GET(`X-Big: ${'a'.repeat(70 * 1024)}`), 'reject'],
  // chunked bodies
  ['chunk size 0x5', `${POST('Transfer-Encoding: chunked')}0x5\r\nhello\r\n0\r\n\r\n`, 'reject'],
  ['chunk size with a space', `${POST('Transfer-Encoding: chunked')}5 \r\nhello\r\n0\r\n\r\n`, 'reject'],
  ['negative chunk size', `${POST('Transfer-Encoding: chunked')}-5\r\nhello\r\n0\r\n\r\n`, 'reject'],
  ['huge chunk size', `${POST('Transfer-Encoding: chunked')}fffffffffffffffffff\r\nhello\r\n0\r\n\r\n`, 'reject'],
  ['chunk data longer than its size', `${POST('Transfer-Encoding: chunked')}3\r\nhello\r\n0\r\n\r\n`, 'reject'],
  ['LF-only after the chunk size', `${POST('Transfer-Encoding: chunked')}5\nhello\r\n0\r\n\r\n`, 'reject'],
  ['control byte in a chunk extension', `${POST('Transfer-Encoding: chunked')}5;a\x01\r\nhello\r\n0\r\n\r\n`, 'reject'],
  ['HTTP/1.0 with Transfer-Encoding (RFC 9112 6.1)', `${head('POST / HTTP/1.0', 'Host: a', 'Connection: keep-alive', 'Transfer-Encoding: chunked')}0\r\n\r\n`, 'reject'],
  // handed to node:http
  ['HTTP/1.0', head('GET / HTTP/1.0', 'Host: a'), 'fallback'],
  ['absolute-form target', head('GET http://a.example/ HTTP/1.1', 'Host: a.example'), 'fallback'],
  ['CONNECT', head('CONNECT a.example:443 HTTP/1.1', 'Host: a.example:443'), 'fallback'],
  ['OPTIONS *', head('OPTIONS * HTTP/1.1', 'Host: a'), 'fallback'],
  ['Upgrade', GET('Connection: Upgrade', 'Upgrade: websocket'), 'fallback'],
  ['Expect: 100-continue', `${POST('Content-Length: 2', 'Expect: 100-continue')}hi`, 'fallback'],
  ['unknown method', head('PROPFIND / HTTP/1.1', 'Host: a'), 'fallback'],
  ['lower-case method', head('get / HTTP/1.1', 'Host: a'), 'fallback'],
  ['non-RFC 3986 characters in the target', head('GET /a{b}|"c" HTTP/1.1', 'Host: a'), 'fallback'],
];

/** A real node:http server reporting what it made of each connection's first request. */
interface ServerSeen {
  kind: 'accept' | 'reject' | 'none';
  method?: string;
  url?: string;
  headers?: string[];
  body?: string;
}

function agreeOnAccepted(fast: Verdict, ll: Verdict, name: string): void {
  if (fast.kind !== 'accept') return;
  assert.equal(ll.kind, 'accept', `${name}: fast path accepted what llhttp did not (${ll.kind === 'reject' ? ll.why : ll.kind})`);
  if (ll.kind !== 'accept') return;
  assert.equal(fast.method, ll.method, `${name}: method`);
  assert.equal(fast.url, ll.url, `${name}: url`);
  assert.deepEqual(fast.headers, ll.headers, `${name}: headers`);
  assert.equal(fast.body, ll.body, `${name}: body`);
  assert.equal(fast.keepAlive, ll.keepAlive, `${name}: keep-alive`);
}

describe('fast parser vs a real node:http server', NEEDS_LLHTTP, () => {
  let server: http.Server;
  let port: number;
  // What the server saw, by the client's local port (each case uses a connection of its own).
  const seenBy = new Map<number, ServerSeen>();

  before(async () => {
    server = http.createServer({ maxHeaderSize: limits.maxHeaderSize }, (req, res) => {
      const seen: ServerSeen = { kind: 'none', method: req.method, url: req.url, headers: req.rawHeaders };
      let body = '';
      req.setEncoding('latin1');
      req.on('data', (d: string) => (body += d));
      req.on('end', () => {
        const port = req.socket.remotePort!;
        if (!seenBy.has(port)) seenBy.set(port, { ...seen, kind: 'accept', body });
        res.end('ok');
      });
      req.on('error', () => {});
    });
    server.on('clientError', (_err, socket) => {
      const port = (socket as net.Socket).remotePort;
      if (port !== undefined && !seenBy.has(port)) seenBy.set(port, { kind: 'reject' });
      socket.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as net.AddressInfo).port;
  });
  after(() => new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  }));

  async function serverSees(bytes: Buffer): Promise<ServerSeen> {
    const sock = net.connect(port, '127.0.0.1');
    sock.on('error', () => {});
    sock.on('data', () => {});
    await new Promise<void>((r) => sock.once('connect', () => r()));
    const local = sock.localPort!;
    sock.write(bytes);
    // Until the server has a verdict; a request it still waits on (or a CONNECT) counts as none.
    const until = Date.now() + 1000;
    while (!seenBy.has(local) && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    sock.destroy();
    return seenBy.get(local) ?? { kind: 'none' };
  }

  for (const [name, text, expected] of table) {
    it(`${expected}: ${name}`, async () => {
      const bytes = Buffer.from(text, 'latin1');
      const fast = fastVerdict(bytes);
      assert.equal(fast.kind, expected, `${name}: fast verdict ${JSON.stringify(fast)}`);
      const seen = await serverSees(bytes);
      const ll = llhttpVerdict(bytes);
      // The in-process parser binding is what the fuzz test uses: it accepts at least what the
      // server accepts (the server adds checks of its own, such as a required Host).
      if (seen.kind === 'accept') assert.equal(ll.kind, 'accept', `${name}: server accepted, binding ${ll.kind}`);
      if (fast.kind === 'accept') {
        assert.equal(seen.kind, 'accept', `${name}: node:http refused what the fast path accepted`);
        assert.equal(seen.method, fast.method);
        assert.equal(seen.url, fast.url);
        assert.deepEqual(seen.headers, fast.headers);
        assert.equal(seen.body, fast.body);
        agreeOnAccepted(fast, ll, name);
      }
    });
  }
});

describe('fast parser fuzz (seeded mutations) vs llhttp', NEEDS_LLHTTP, () => {
  it('never accepts what llhttp rejects, and agrees on what it accepts', () => {
    const rand = mulberry32(0x5eed);
    const bases = table.filter(([, , k]) => k === 'accept').map(([, t]) => t);
    const tally = { accept: 0, reject: 0, incomplete: 0, fallback: 0 };
    for (let i = 0; i < 4000; i++) {
      const base = bases[Math.floor(rand() * bases.length)]!;
      let s = base;
      const n = 1 + Math.floor(rand() * 3);
      for (let k = 0; k < n; k++) s = mutate(s, rand);
      const bytes = Buffer.from(s, 'latin1');
      const fast = fastVerdict(bytes);
      tally[fast.kind]++;
      if (fast.kind !== 'accept') continue;
      const name = `case ${i}: ${JSON.stringify(s)}`;
      agreeOnAccepted(fast, llhttpVerdict(bytes), name);
      // Same message boundary: llhttp given exactly the bytes the fast path consumed finishes the message.
      assert.equal(llhttpVerdict(bytes.subarray(0, fast.consumed)).kind, 'accept', `${name}: boundary`);
    }
    // The mutations must exercise both sides, or the property above proves nothing.
    assert.ok(tally.accept > 200 && tally.reject > 500, JSON.stringify(tally));
  });
});

describe("node:http's strict checks (h1-strict.ts) vs the fast parser", NEEDS_LLHTTP, () => {
  // What the fast parser refuses for Host and framing, node:http must refuse too when llhttp lets
  // it through; and what the fast parser accepts, the checks must not refuse.
  const FRAMING_REASONS = /Host header|Transfer-Encoding|Content-Length/;
  function compare(bytes: Buffer, name: string): 'refused' | 'accepted' | 'other' {
    const ll = llhttpVerdict(bytes);
    if (ll.kind !== 'accept') return 'other';
    const fast = fastVerdict(bytes);
    const verdict = strictTarget({ httpVersionMinor: ll.minor!, rawHeaders: ll.headers, url: ll.url });
    if (fast.kind === 'reject' && FRAMING_REASONS.test(fast.why)) {
      assert.equal(typeof verdict, 'string', `${name}: node:http would accept what the fast path refuses (${fast.why})`);
      return 'refused';
    }
    if (fast.kind === 'accept') assert.notEqual(typeof verdict, 'string', `${name}: refused what the fast path accepts: ${String(verdict)}`);
    return fast.kind === 'accept' ? 'accepted' : 'other';
  }

  it('agrees on the table', () => {
    const tally = { refused: 0, accepted: 0, other: 0 };
    for (const [name, text] of table) tally[compare(Buffer.from(text, 'latin1'), name)]++;
    // two Host headers, HTTP/1.0 with Transfer-Encoding and two Transfer-Encoding headers at least
    assert.ok(tally.refused >= 3 && tally.accepted > 10, JSON.stringify(tally));
  });

  it('agrees on seeded mutations', () => {
    const rand = mulberry32(0xf12e);
    const bases = table.filter(([, , k]) => k === 'accept').map(([, t]) => t);
    const tally = { refused: 0, accepted: 0, other: 0 };
    for (let i = 0; i < 4000; i++) {
      let s = bases[Math.floor(rand() * bases.length)]!;
      for (let k = 0, n = 1 + Math.floor(rand() * 3); k < n; k++) s = mutate(s, rand);
      tally[compare(Buffer.from(s, 'latin1'), `case ${i}: ${JSON.stringify(s)}`)]++;
    }
    assert.ok(tally.refused > 50 && tally.accepted > 200, JSON.stringify(tally));
  });
});

describe('response heads', () => {
  const parse = (s: string, headRequest = false) => parseResponseHead(Buffer.from(s, 'latin1'), 0, s.length, limits, headRequest);

  it('reads status, reason, headers and framing', () => {
    const r = parse('HTTP/1.1 200 OK\r\nContent-Length: 20\r\nKeep-Alive: timeout=5\r\n\r\n');
    assert.ok(r instanceof ResponseHead);
    assert.deepEqual([r.status, r.reason, r.framing, r.contentLength, r.reusable, r.keepAliveMs], [200, 'OK', LENGTH, 20, true, 5000]);
    assert.deepEqual(r.raw, ['Content-Length', '20', 'Keep-Alive', 'timeout=5']);
  });

  it('finds the final head after 1xx heads, and refuses a 101 nobody asked for', () => {
    const final = (s: string) => parseFinalResponseHead(Buffer.from(s, 'latin1'), 0, s.length, limits, false);
    const early = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n';
    const r = final(`${early}HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok`);
    assert.ok(r instanceof ResponseHead);
    assert.equal(r.status, 201);
    assert.equal(r.start, early.length);
    assert.equal(r.start + r.headLength, early.length + 'HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n'.length);
    // Only 1xx heads so far: not complete yet.
    assert.equal(final(early), undefined);
    assert.ok(final('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n') instanceof HeadError);
    assert.ok(final(`${early}HTTP/1.1 2x0 What\r\n\r\n`) instanceof HeadError);
  });

  it('knows bodiless responses, chunked, close-delimited and HTTP/1.0', () => {
    const nobody = (s: string, h = false) => (parse(s, h) as ResponseHead).framing;
    assert.equal(nobody('HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n'), NO_BODY);
    assert.equal(nobody('HTTP/1.1 304 Not Modified\r\n\r\n'), NO_BODY);
    assert.equal(nobody('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', true), NO_BODY);
    assert.equal(nobody('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'), CHUNKED);
    const close = parse('HTTP/1.1 200 OK\r\n\r\n') as ResponseHead;
    assert.deepEqual([close.framing, close.reusable], [UNTIL_CLOSE, false]);
    assert.equal((parse('HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n') as ResponseHead).reusable, false);
    assert.equal((parse('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n') as ResponseHead).reusable, false);
    assert.equal((parse('HTTP/1.1 100 Continue\r\n\r\n') as ResponseHead).status, 100);
    assert.equal((parse('HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n') as ResponseHead).reason, '');
  });

  it('refuses ambiguous framing and malformed status lines', () => {
    for (const s of [
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n',
      'HTTP/1.1 2000 OK\r\n\r\n',
      'HTTP/1.1 099 OK\r\n\r\n',
      'HTTP/2 200 OK\r\n\r\n',
      'HTTP/1.1 200 OK\r\nX: a\x00\r\n\r\n',
      'HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n',
    ]) {
      assert.ok(parse(s) instanceof HeadError, JSON.stringify(s));
    }
    assert.equal(parse('HTTP/1.1 200 OK\r\nX: a'), undefined, 'incomplete');
  });
});

describe('lean response heads (forwarded as bytes)', () => {
  const RESPONSE_LINES = [
    'Connection: keep-alive',
    'connection: Keep-Alive',
    'Connection: close',
    'CONNECTION:  cLoSe  ',
    'Connection: keep-alive, close',
    'Connection: keep-alive,,',
    'Connection:',
    'Connection: \tupgrade\t',
    'Connection: x-other',
    'Connection: close\xa0',
    'Keep-Alive: timeout=7, max=100',
    'Content-Length: 20',
    'content-LENGTH: 007',
    'Content-Length: 2 0',
    'Content-Length: 1',
    'Transfer-Encoding: chunked',
    'transfer-encoding: CHUNKED',
    'Transfer-Encoding: chunked, gzip',
    'TE: trailers',
    'Trailer: x-sum',
    'Upgrade: h2c',
    'Proxy-Connection: keep-alive',
    'Proxy-Authenticate: Basic',
    'Server: nginx',
    'Date: Mon, 07 Dec 2026 04:00:00 GMT',
  ];
  const BASE = 'HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/plain\r\nContent-Length: 20\r\nConnection: keep-alive\r\n\r\n';
  const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authenticate', 'proxy-authorization']);

  /** The lean parse says what the full parse says, and cuts exactly the hop-by-hop lines. */
  function agree(s: string): void {
    const buf = Buffer.from(s, 'latin1');
    const full = parseResponseHead(buf, 0, buf.length, limits, false, false);
    const lean = parseResponseHead(buf, 0, buf.length, limits, false, true);
    const what = JSON.stringify(s);
    if (full === undefined || full instanceof HeadError) {
      assert.deepEqual(lean, full, what);
      return;
    }
    assert.ok(lean instanceof ResponseHead, what);
    assert.deepEqual([lean.status, lean.framing, lean.contentLength, lean.reusable, lean.keepAliveMs], [full.status, full.framing, full.contentLength, full.reusable, full.keepAliveMs], what);
    // A lean parse that gave up on bytes (drops null) parsed fully: nothing more to compare.
    if (lean.drops === null) return;
    const cut: string[] = [];
    for (let i = 0; i < lean.drops.length; i += 2) cut.push(s.slice(lean.drops[i], lean.drops[i + 1]).split(':')[0]!.toLowerCase());
    const hop = full.raw.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase()).filter((n) => HOP.has(n));
    assert.deepEqual(cut, hop, what);
  }

  it('read Keep-Alive timeouts from the bytes as the full parse reads them from the string', () => {
    for (const v of ['timeout=5', 'TIMEOUT=5', 'max=100, timeout=7', 'max=100,timeout=7', 'max=1;timeout=8', 'max=1\ttimeout=9', 'xtimeout=5', 'timeout=', 'timeout=x', 'timeout=1234567', 'timeout=12a', 'timeout=5, timeout=9', 'a timeout=3', 'a\xa0timeout=4', 'timeout =5', '', 'timeout=000', 'timeout=5 ']) {
      const buf = Buffer.from(`HTTP/1.1 200 OK\r\nKeep-Alive: ${v}\r\nContent-Length: 0\r\n\r\n`, 'latin1');
      const full = parseResponseHead(buf, 0, buf.length, limits, false, false) as ResponseHead;
      const lean = parseResponseHead(buf, 0, buf.length, limits, false, true) as ResponseHead;
      assert.ok(lean.drops !== null, JSON.stringify(v));
      assert.equal(lean.keepAliveMs, full.keepAliveMs, JSON.stringify(v));
    }
    const buf = Buffer.from('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1234567\r\n\r\n', 'latin1');
    assert.equal((parseResponseHead(buf, 0, buf.length, limits, false, true) as ResponseHead).keepAliveMs, 123456000);
  });

  it('agree with the full parse on framing, reuse and keep-alive, line by line', () => {
    for (const line of RESPONSE_LINES) agree(`HTTP/1.1 200 OK\r\n${line}\r\nX-A: 1\r\n\r\n`);
    agree(BASE);
  });

  it('agree with the full parse on mutated heads', () => {
    const rand = mulberry32(0x1ea7);
    for (let i = 0; i < 3000; i++) {
      let s = BASE;
      for (let k = 0, n = 1 + Math.floor(rand() * 3); k < n; k++) {
        if (rand() < 0.5) {
          const nl = s.indexOf('\r\n') + 2;
          s = `${s.slice(0, nl)}${RESPONSE_LINES[Math.floor(rand() * RESPONSE_LINES.length)]}\r\n${s.slice(nl)}`;
        } else s = mutate(s, rand);
      }
      agree(s);
    }
  });
});

describe('chunked decoder', () => {
  it('decodes byte by byte the same as all at once, and keeps trailers', () => {
    const body = Buffer.from('5;a=b\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-T: 1\r\nX-U: 2\r\n\r\nNEXT', 'latin1');
    const whole: string[] = [];
    const a = new ChunkedDecoder({ chunkData: (d) => whole.push(d.toString()) }, true);
    const end = a.feed(body, 0, body.length);
    assert.equal(body.toString('latin1', end), 'NEXT');
    assert.equal(whole.join(''), 'hello world');
    assert.equal(a.takeTrailers()?.toString(), 'X-T: 1\r\nX-U: 2\r\n');
    const bytewise: string[] = [];
    const b = new ChunkedDecoder({ chunkData: (d) => bytewise.push(d.toString()) }, true);
    let r = -1;
    for (let i = 0; i < body.length && r < 0; i++) {
      r = b.feed(body.subarray(i, i + 1), 0, 1);
      if (r >= 0) r += i;
    }
    assert.equal(r, end);
    assert.equal(bytewise.join(''), 'hello world');
    assert.equal(b.takeTrailers()?.toString(), 'X-T: 1\r\nX-U: 2\r\n');
  });

  it('bounds extensions and trailers', () => {
    const dec = new ChunkedDecoder({ chunkData: () => {} }, false);
    const longExt = Buffer.from(`1;${'a'.repeat(2000)}\r\nx\r\n0\r\n\r\n`);
    assert.equal(dec.feed(longExt, 0, longExt.length), INVALID);
    dec.reset();
    const longTrailer = Buffer.from(`0\r\nX: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.equal(dec.feed(longTrailer, 0, longTrailer.length), INVALID);
  });

  it('rejects oversized and too-many-header heads with 431', () => {
    const many = GET(...Array.from({ length: 250 }, (_, i) => `X-${i}: v`));
    const r = parseRequestHead(Buffer.from(many), 0, many.length, limits);
    assert.ok(r instanceof HeadError && r.status === 431);
    const partial = Buffer.from(`GET / HTTP/1.1\r\nX: ${'a'.repeat(70_000)}`);
    const p = parseRequestHead(partial, 0, partial.length, limits);
    assert.ok(p instanceof HeadError && p.status === 431, 'an incomplete head past the limit');
  });
});

// ---- helpers


const INTERESTING = ['\r', '\n', '\r\n', ' ', '\t', '\x00', ':', ',', ';', '\x0b', '\x7f', '\x80', '\xff', 'a', '0', 'f', '-', '+', '"', '/', '#', '?'];
const LINES = [
  'Transfer-Encoding: chunked',
  'Transfer-Encoding: xchunked',
  'Transfer-Encoding: chunked, identity',
  'Transfer-Encoding : chunked',
  'Content-Length: 0',
  'Content-Length: 3',
  'Content-Length: +3',
  'Content-Length: 3, 3',
  'Host: other',
  'Connection: close',
  ' folded',
  'Expect: 100-continue',
  'Upgrade: websocket',
];

function mutate(s: string, rand: () => number): string {
  const at = Math.floor(rand() * (s.length + 1));
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  switch (Math.floor(rand() * 6)) {
    case 0:
      return s.slice(0, at) + pick(INTERESTING) + s.slice(at);
    case 1:
      return s.slice(0, at) + s.slice(at + 1);
    case 2:
      return s.slice(0, at) + pick(INTERESTING) + s.slice(at + 1);
    case 3: {
      // a whole header line after the request line
      const nl = s.indexOf('\r\n') + 2;
      return `${s.slice(0, nl)}${pick(LINES)}\r\n${s.slice(nl)}`;
    }
    case 4: {
      const c = s.charCodeAt(at);
      return Number.isNaN(c) ? s : s.slice(0, at) + String.fromCharCode(c ^ 0x20) + s.slice(at + 1);
    }
    default:
      return s.slice(0, at) + s.slice(at, at + 8).repeat(2) + s.slice(at + 8);
  }
}
