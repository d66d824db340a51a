import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientResponseHeaders, upstreamRequestHeaders } from '../../src/proxy/headers.ts';

const pairs = (raw: string[]) => Array.from({ length: raw.length / 2 }, (_, i) => [raw[2 * i]!.toLowerCase(), raw[2 * i + 1]!]);

describe('upstream request headers', () => {
  it('drops hop-by-hop and Connection-listed headers, sets Host and forwarding headers', () => {
    const out = upstreamRequestHeaders({
      raw: ['Host', 'a.example.com', 'Connection', 'close, X-Hop', 'X-Hop', '1', 'TE', 'gzip', 'Transfer-Encoding', 'chunked', 'X-Forwarded-For', '10.0.0.1', 'X-Forwarded-For', '10.0.0.2', 'Accept', '*/*'],
      host: 'b.internal',
      set: [],
      clientAddress: '::ffff:192.0.2.1',
      proto: 'https',
    });
    assert.deepEqual(pairs(out), [['host', 'b.internal'], ['accept', '*/*'], ['x-forwarded-for', '10.0.0.1, 10.0.0.2, 192.0.2.1'], ['x-forwarded-proto', 'https']]);
  });

  it('replaces client values of route-set headers; later sets win', () => {
    const out = upstreamRequestHeaders({ raw: ['X-Rev', 'forged', 'x-rev', 'again'], host: 'h', set: [['x-rev', 'path'], ['x-rev', 'split']], clientAddress: undefined, proto: 'http' });
    assert.deepEqual(pairs(out), [['host', 'h'], ['x-rev', 'split'], ['x-forwarded-proto', 'http']]);
  });

  it('keeps te: trailers and upgrade headers only when asked', () => {
    const raw = ['te', 'trailers', 'connection', 'Upgrade', 'upgrade', 'websocket'];
    assert.deepEqual(pairs(upstreamRequestHeaders({ raw, host: 'h', set: [], clientAddress: undefined, proto: 'http', keepTeTrailers: true, keepUpgrade: true })).slice(1, 4), [['te', 'trailers'], ['connection', 'Upgrade'], ['upgrade', 'websocket']]);
    assert.deepEqual(pairs(upstreamRequestHeaders({ raw, host: 'h', set: [], clientAddress: undefined, proto: 'http' })), [['host', 'h'], ['x-forwarded-proto', 'http']]);
  });
});

describe('client response headers', () => {
  it('drops hop-by-hop and Connection-listed headers from upstream responses', () => {
    const raw = ['Connection', 'X-Private', 'X-Private', 's', 'Transfer-Encoding', 'chunked', 'Content-Type', 'text/plain', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2'].map((s) => Buffer.from(s));
    assert.deepEqual(pairs(clientResponseHeaders(raw)), [['content-type', 'text/plain'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2']]);
  });
});
