// HTTP/2's raw path turns an HTTP/1.1 upstream's response fields into HTTP/2 field pairs in one
// pass (h1ResponsePairs); it must give what the two-step path (clientResponseHeaders, then
// lowerNames) gives, which routes that edit response headers still take.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientResponseHeaders } from '../../src/proxy/headers.ts';
import { h1ResponsePairs, lowerNames } from '../../src/proxy/h2core/reply.ts';

const cases: Array<[string, string[]]> = [
  ['plain fields, names in any case', ['Content-Type', 'text/plain', 'Content-Length', '5', 'X-Up', 'a', 'Date', 'Sun, 06 Dec 2026 00:00:00 GMT']],
  ['repeated fields become a list, in order', ['Set-Cookie', 'a=1', 'set-cookie', 'b=2', 'SET-COOKIE', 'c=3', 'Vary', 'accept']],
  ['hop-by-hop fields are left out', ['Connection', 'keep-alive', 'Keep-Alive', 'timeout=5', 'Transfer-Encoding', 'chunked', 'Trailer', 'x-sum', 'Upgrade', 'h2c', 'Proxy-Connection', 'close', 'TE', 'trailers', 'X-Kept', 'yes']],
  ['fields the Connection header names are left out, framing fields are not', ['Connection', 'X-Private, content-length, Close', 'X-Private', 'secret', 'x-private', 'again', 'Content-Length', '3', 'X-Public', 'yes']],
  ['several Connection headers', ['connection', 'x-a', 'Connection', ' X-B ,', 'X-A', '1', 'X-B', '2', 'X-C', '3']],
  ['no fields', []],
];

for (const [name, raw] of cases) {
  test(`one-pass HTTP/2 response fields: ${name}`, () => {
    assert.deepEqual(h1ResponsePairs(raw), lowerNames(clientResponseHeaders(raw)));
  });
}
