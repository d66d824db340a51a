// The cors filter as decide() applies it: preflights from allowed origins answered by the gateway,
// actual requests from them forwarded with the Access-Control-Allow-* response headers, anything
// else routed as if there were no policy.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Decision } from '../../src/proxy/decide.ts';
import { policiesFor } from '../../src/proxy/exchange-policy.ts';
import { replyFor } from '../../src/proxy/local-reply.ts';
import type { CorsPolicy, HeaderEdits } from '../../src/snapshot/types.ts';
import { ask, route, routerFor } from './ir-helpers.ts';

const policy = (p: Partial<CorsPolicy> = {}): CorsPolicy => ({
  allowOrigins: ['https://app.example.com', 'https://*.example.org'],
  allowMethods: ['GET', 'PUT'],
  allowHeaders: ['x-token'],
  exposeHeaders: ['x-trace'],
  maxAge: 600,
  allowCredentials: false,
  ...p,
});
const corsRouter = (p?: Partial<CorsPolicy>, response?: HeaderEdits) =>
  routerFor(route({ filters: [{ type: 'cors', policy: policy(p) }, ...(response ? [{ type: 'response-headers' as const, edits: response }] : [])] }));
const allowOrigin = (d: Decision) => (d.kind === 'preflight' ? d.headers.find(([n]) => n === 'access-control-allow-origin')?.[1] : `not a preflight: ${d.kind}`);
const preflight = (origin: string, extra: string[] = []) => ({ url: '/', method: 'OPTIONS', raw: ['Origin', origin, 'Access-Control-Request-Method', 'PUT', ...extra] });

describe('CORS', () => {
  it('answers a preflight from an allowed origin with 204 and the allow headers', () => {
    const d = ask(corsRouter(), preflight('https://app.example.com'));
    assert.deepEqual(d, {
      kind: 'preflight',
      ingress: 'HTTPRoute default/web',
      headers: [
        ['access-control-allow-origin', 'https://app.example.com'],
        ['vary', 'Origin'],
        ['access-control-allow-methods', 'GET, PUT'],
        ['access-control-allow-headers', 'x-token'],
        ['access-control-max-age', '600'],
        ['access-control-expose-headers', 'x-trace'],
      ],
    });
    const { reply, error } = replyFor(d as Exclude<Decision, { kind: 'forward' }>);
    assert.equal(reply.status, 204);
    assert.equal(reply.body, '');
    assert.equal(error, false);
  });

  it('matches wildcard origins on one or more labels, case-insensitively', () => {
    const r = corsRouter();
    assert.equal(ask(r, preflight('https://a.example.org')).kind, 'preflight');
    assert.equal(ask(r, preflight('https://A.b.Example.org')).kind, 'preflight');
    assert.deepEqual(allowOrigin(ask(r, preflight('https://a.example.org'))), 'https://a.example.org');
    assert.equal(allowOrigin(ask(r, preflight('https://.example.org'))), undefined, 'the wildcard stands for something');
    assert.equal(allowOrigin(ask(r, preflight('http://a.example.org'))), undefined, 'the scheme is part of the origin');
  });

  it('answers a preflight from an origin not allowed itself, with no allow headers, and never forwards it', () => {
    // Envoy with forward_not_matching_preflights false, as Envoy Gateway configures it: the
    // upstream never sees a preflight it did not allow (the conformance test HTTPRouteCORS).
    const d = ask(corsRouter({ allowCredentials: true }), preflight('https://evil.com'));
    assert.deepEqual(d, { kind: 'preflight', ingress: 'HTTPRoute default/web', headers: [['vary', 'Origin']] });
    assert.equal(replyFor(d as Exclude<Decision, { kind: 'forward' }>).reply.status, 204);
  });

  it('an OPTIONS request without Access-Control-Request-Method is not a preflight', () => {
    assert.equal(ask(corsRouter(), { url: '/', method: 'OPTIONS', raw: ['Origin', 'https://app.example.com'] }).kind, 'forward');
  });

  it('answers `*` for any origin without credentials, and echoes the origin and request lists with them', () => {
    const any = ask(corsRouter({ allowOrigins: ['*'], allowMethods: ['*'], allowHeaders: ['*'] }), preflight('https://x.test'));
    assert.deepEqual(any.kind === 'preflight' && any.headers, [
      ['access-control-allow-origin', '*'],
      ['access-control-allow-methods', '*'],
      ['access-control-allow-headers', '*'],
      ['access-control-max-age', '600'],
      ['access-control-expose-headers', 'x-trace'],
    ]);
    const cred = ask(corsRouter({ allowOrigins: ['*'], allowMethods: ['*'], allowHeaders: ['*'], allowCredentials: true, maxAge: undefined }), preflight('https://x.test', ['Access-Control-Request-Headers', 'x-a, x-b']));
    assert.deepEqual(cred.kind === 'preflight' && cred.headers, [
      ['access-control-allow-origin', 'https://x.test'],
      ['vary', 'Origin'],
      ['access-control-allow-credentials', 'true'],
      ['access-control-allow-methods', 'PUT'],
      ['access-control-allow-headers', 'x-a, x-b'],
      ['access-control-expose-headers', 'x-trace'],
    ]);
  });

  it('adds the allow headers to the response of an actual request from an allowed origin, after the route\'s own edits', () => {
    const r = corsRouter({ allowCredentials: true }, { set: [['x-r', '1']], add: [], remove: ['server'] });
    const d = ask(r, { url: '/', raw: ['Origin', 'https://app.example.com'] });
    assert.equal(d.kind, 'forward');
    assert.deepEqual(d.kind === 'forward' && d.response, {
      set: [['x-r', '1'], ['access-control-allow-origin', 'https://app.example.com'], ['access-control-allow-credentials', 'true'], ['access-control-expose-headers', 'x-trace']],
      add: [['vary', 'Origin']],
      remove: ['server'],
    });
    const other = ask(r, { url: '/', raw: ['Origin', 'https://evil.com'] });
    assert.deepEqual(other.kind === 'forward' && other.response, { set: [['x-r', '1']], add: [], remove: ['server'] }, 'no CORS headers for an origin not allowed');
    const none = ask(corsRouter(), { url: '/' });
    assert.equal(none.kind === 'forward' && none.response, undefined, 'nothing without Origin');
  });

  it("answers each actual request with its own origin, not the first one's the route saw", () => {
    // The exchange compiles a route's response policies once per split; the CORS headers differ
    // per request, so they must not be cached with them.
    const r = corsRouter({}, { set: [['x-r', '1']], add: [], remove: [] });
    const sent = (origin: string) => {
      const d = ask(r, { url: '/', raw: ['Origin', origin] });
      assert.equal(d.kind, 'forward');
      const p = policiesFor(d as Extract<Decision, { kind: 'forward' }>);
      return p.response.reduce((h, policy) => policy.onResponse!(200, h), [] as string[]);
    };
    assert.deepEqual(sent('https://app.example.com').slice(0, 6), ['x-r', '1', 'access-control-allow-origin', 'https://app.example.com', 'access-control-expose-headers', 'x-trace']);
    assert.deepEqual(sent('https://b.example.org').slice(2, 4), ['access-control-allow-origin', 'https://b.example.org']);
    assert.deepEqual(sent('https://evil.com'), ['x-r', '1']);
  });
});
