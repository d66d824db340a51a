// Hop-by-hop rules (RFC 9110 7.6.1) never reach the message's framing: a Connection header or a
// route's header edit cannot remove or change Content-Length, Transfer-Encoding or Host.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientResponseHeaders, upstreamRequestHeaders } from '../../src/proxy/headers.ts';

const request = (raw: string[], set: Array<[string, string]> = []) =>
  upstreamRequestHeaders({ raw, host: 'a.example', edits: { set, add: [], remove: [] }, clientAddress: undefined, proto: 'http' });
const pairs = (out: string[]) => Array.from({ length: out.length / 2 }, (_, i) => [out[2 * i]!.toLowerCase(), out[2 * i + 1]]);

describe('hop-by-hop rules and framing', () => {
  it('keeps Content-Length and Host that a request Connection header names, and drops other named fields', () => {
    const out = request(['Host', 'a.example', 'Connection', 'content-length, Host, X-Gone, close', 'Content-Length', '12', 'X-Gone', '1', 'X-Kept', '2']);
    assert.deepEqual(pairs(out), [['host', 'a.example'], ['content-length', '12'], ['x-kept', '2'], ['x-forwarded-proto', 'http']]);
  });

  it('does not let a route header edit replace or add Content-Length or Transfer-Encoding', () => {
    const out = request(['Content-Length', '12'], [['content-length', '0'], ['transfer-encoding', 'chunked'], ['x-route', 'r']]);
    assert.deepEqual(pairs(out), [['host', 'a.example'], ['content-length', '12'], ['x-route', 'r'], ['x-forwarded-proto', 'http']]);
  });

  it('keeps Content-Length that a response Connection header names', () => {
    const out = clientResponseHeaders(['Connection', 'Content-Length, X-Gone', 'Content-Length', '5', 'X-Gone', '1'].map((s) => Buffer.from(s)));
    assert.deepEqual(out, ['Content-Length', '5']);
  });
});
