import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientResponseHeaders, NO_EDITS, upstreamRequestHeaders } from '../../src/proxy/headers.ts';

const pairs = (raw: string[]) => Array.from({ length: raw.length / 2 }, (_, i) => [raw[2 * i]!.toLowerCase(), raw[2 * i + 1]!]);

describe('upstream request headers', () => {
  it('drops hop-by-hop and Connection-listed headers, sets Host and forwarding headers', () => {
    const out = upstreamRequestHeaders({
      raw: ['Host', 'a.example.com', 'Connection', 'close, X-Hop', 'X-Hop', '1', 'TE', 'gzip', 'Transfer-Encoding', 'chunked', 'X-Forwarded-For', '10.0.0.1', 'X-Forwarded-For', '10.0.0.2', 'Accept', '*/*'],
      host: 'b.internal',
      edits: NO_EDITS,
      clientAddress: '::ffff:192.0.2.1',
      proto: 'https',
    });
    assert.deepEqual(pairs(out), [['host', 'b.internal'], ['accept', '*/*'], ['x-forwarded-for', '10.0.0.1, 10.0.0.2, 192.0.2.1'], ['x-forwarded-proto', 'https']]);
  });

  it('replaces client values of route-set headers; later sets win', () => {
    const out = upstreamRequestHeaders({ raw: ['X-Rev', 'forged', 'x-rev', 'again'], host: 'h', edits: { set: [['x-rev', 'path'], ['x-rev', 'split']], add: [], remove: [] }, clientAddress: undefined, proto: 'http' });
    assert.deepEqual(pairs(out), [['host', 'h'], ['x-rev', 'split'], ['x-forwarded-proto', 'http']]);
  });

  it('adds after the client values, removes client headers, never touches framing or forwarding headers', () => {
    const out = upstreamRequestHeaders({
      raw: ['X-Add', 'client', 'X-Gone', '1', 'Content-Length', '3', 'Cookie', 'a=1'],
      host: 'h',
      edits: { set: [['x-set', 's'], ['x-forwarded-proto', 'forged']], add: [['x-add', 'route'], ['content-length', '99']], remove: ['x-gone', 'content-length', 'cookie'] },
      clientAddress: undefined,
      proto: 'http',
    });
    assert.deepEqual(pairs(out), [['host', 'h'], ['x-add', 'client'], ['content-length', '3'], ['x-set', 's'], ['x-add', 'route'], ['x-forwarded-proto', 'http']]);
  });

  it('keeps te: trailers and upgrade headers only when asked', () => {
    const raw = ['te', 'trailers', 'connection', 'Upgrade', 'upgrade', 'websocket'];
    assert.deepEqual(pairs(upstreamRequestHeaders({ raw, host: 'h', edits: NO_EDITS, clientAddress: undefined, proto: 'http', keepTeTrailers: true, keepUpgrade: true })).slice(1, 4), [['te', 'trailers'], ['connection', 'Upgrade'], ['upgrade', 'websocket']]);
    assert.deepEqual(pairs(upstreamRequestHeaders({ raw, host: 'h', edits: NO_EDITS, clientAddress: undefined, proto: 'http' })), [['host', 'h'], ['x-forwarded-proto', 'http']]);
  });

  it('makes no array iterator per request (for-of allocates one on every request, edits or none)', () => {
    const proto = Array.prototype as unknown as Record<symbol, () => Iterator<unknown>>;
    const original = proto[Symbol.iterator]!;
    let iterators = 0;
    proto[Symbol.iterator] = function (this: unknown[]) {
      iterators++;
      return original.call(this);
    };
    try {
      const raw = ['Host', 'a', 'Accept', '*/*', 'X-Forwarded-For', '10.0.0.1'];
      upstreamRequestHeaders({ raw, host: 'h', edits: NO_EDITS, clientAddress: '127.0.0.1', proto: 'http' });
      const out = upstreamRequestHeaders({ raw, host: 'h', edits: { set: [['x-set', 's']], add: [['x-add', 'a']], remove: ['accept'] }, clientAddress: '127.0.0.1', proto: 'http' });
      assert.equal(iterators, 0);
      assert.deepEqual(pairs(out), [['host', 'h'], ['x-set', 's'], ['x-add', 'a'], ['x-forwarded-for', '10.0.0.1, 127.0.0.1'], ['x-forwarded-proto', 'http']]);
    } finally {
      proto[Symbol.iterator] = original;
    }
  });
});

describe('client response headers', () => {
  it('drops hop-by-hop and Connection-listed headers from upstream responses', () => {
    const raw = ['Connection', 'X-Private', 'X-Private', 's', 'Transfer-Encoding', 'chunked', 'Content-Type', 'text/plain', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2'].map((s) => Buffer.from(s));
    assert.deepEqual(pairs(clientResponseHeaders(raw)), [['content-type', 'text/plain'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2']]);
  });
});

describe('response header edits', () => {
  it('sets, adds and removes on the response, after hop-by-hop filtering; framing is never edited', () => {
    const raw = ['Content-Type', 'text/plain', 'X-Server', 'a', 'Set-Cookie', 'a=1', 'Content-Length', '5', 'Connection', 'keep-alive'];
    const out = clientResponseHeaders(raw, false, { set: [['x-server', 'sluice'], ['content-length', '0']], add: [['set-cookie', 'b=2']], remove: ['content-type', 'content-length'] });
    assert.deepEqual(pairs(out), [['set-cookie', 'a=1'], ['content-length', '5'], ['x-server', 'sluice'], ['set-cookie', 'b=2']]);
  });
});
