// The JWT policy on plain requests: tokens signed by the test with jose against inline and fetched
// key sets; claims to headers; the key cache's refresh, rotation and failure behaviour.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JSONWebKeySet } from 'jose';
import { RemoteKeys } from '../../src/policies/jwks-cache.ts';
import { JwtAuth } from '../../src/policies/jwt.ts';
import type { PolicyRequest } from '../../src/proxy/exchange-policy.ts';
import type { HeaderPair, JwtPolicy, JwtProvider } from '../../src/snapshot/types.ts';
import { jwks, testKey, unsignedToken } from './jwt-tokens.ts';

interface Seen {
  req: PolicyRequest;
  headers: Record<string, string>;
  warnings: string[];
}

function request(raw: string[], url = '/'): Seen {
  const seen: Seen = { headers: {}, warnings: [], req: undefined as unknown as PolicyRequest };
  seen.req = {
    method: 'GET',
    url,
    raw,
    clientAddress: '127.0.0.1',
    dp: { log: { warn: (_f: Record<string, unknown>, msg: string) => void seen.warnings.push(msg) } },
    setUpstreamHeaders: (pairs: readonly HeaderPair[]) => {
      for (const [n, v] of pairs) seen.headers[n] = v;
    },
  } as unknown as PolicyRequest;
  return seen;
}

const bearer = (t: string) => ['authorization', `Bearer ${t}`];

function provider(over: Partial<JwtProvider>): JwtProvider {
  return { name: 'p', audiences: [], fromHeaders: [{ name: 'authorization', prefix: 'Bearer ' }], fromParams: [], claimsToHeaders: [], clockSkewSeconds: 60, ...over };
}

async function verdict(policy: JwtAuth, s: Seen): Promise<number | undefined> {
  const v = await policy.onRequest!(s.req);
  return v?.status;
}

describe('JWT policy', async () => {
  const key = await testKey('k1');
  const other = await testKey('k1');
  const ec = await testKey('e1', 'ES256');
  const ed = await testKey('d1', 'EdDSA');
  const base = provider({ issuer: 'https://issuer.test', audiences: ['api'], localJwks: JSON.stringify(jwks(key, ec, ed)), claimsToHeaders: [{ claim: 'sub', header: 'x-user' }, { claim: 'realm.roles', header: 'x-roles' }] });
  const policy = (over: Partial<JwtPolicy> = {}) => new JwtAuth({ required: true, providers: [base], ...over });
  const claims = { iss: 'https://issuer.test', aud: 'api', sub: 'alice', realm: { roles: ['admin', 'dev'] } };

  it('lets a valid token through (RS256, ES256, EdDSA) with its claims as upstream headers', async () => {
    for (const k of [key, ec, ed]) {
      const s = request(bearer(await k.sign(claims, { expiresIn: '5m' })));
      assert.equal(await verdict(policy(), s), undefined, k.alg);
      assert.deepEqual(s.headers, { 'x-user': 'alice', 'x-roles': 'admin,dev' });
    }
  });

  it('answers 401 invalid_token to expired, wrong-audience, wrong-issuer and wrong-key tokens', async () => {
    const cases = {
      expired: await key.sign(claims, { expiresIn: Math.floor(Date.now() / 1000) - 120 }),
      audience: await key.sign({ ...claims, aud: 'other' }),
      issuer: await key.sign({ ...claims, iss: 'https://evil.test' }),
      key: await other.sign(claims),
      unknownKid: await key.sign(claims, { kid: 'nope' }),
    };
    for (const [what, token] of Object.entries(cases)) {
      const v = await policy().onRequest!(request(bearer(token)).req);
      assert.equal(v?.status, 401, what);
      assert.match(v!.headers.find(([n]) => n === 'www-authenticate')![1], /^Bearer error="invalid_token"/, what);
    }
    const v = await policy().onRequest!(request(bearer(cases.expired)).req);
    assert.match(v!.body, /expired/);
  });

  it('allows the clock skew on exp', async () => {
    const justExpired = await key.sign(claims, { expiresIn: Math.floor(Date.now() / 1000) - 10 });
    assert.equal(await verdict(policy(), request(bearer(justExpired))), undefined);
    const strict = new JwtAuth({ required: true, providers: [{ ...base, clockSkewSeconds: 0 }] });
    assert.equal(await verdict(strict, request(bearer(justExpired))), 401);
  });

  it('refuses hostile tokens with 401: unsigned (alg none), malformed, huge, a forged HMAC over the public key', async () => {
    const forged = `${Buffer.from(JSON.stringify({ alg: 'HS256', kid: 'k1' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.AAAA`;
    for (const t of [unsignedToken(claims), 'a.b.c', 'not-a-jwt', '...', `${'a'.repeat(20_000)}.b.c`, forged, '\u00e9.\u00e9.\u00e9']) {
      assert.equal(await verdict(policy(), request(bearer(t))), 401, t.slice(0, 30));
    }
  });

  it('required: a missing token is 401 without an error code; optional: it goes on with the claim headers empty', async () => {
    const v = await policy().onRequest!(request(['x-user', 'mallory']).req);
    assert.equal(v?.status, 401);
    assert.deepEqual(v!.headers.find(([n]) => n === 'www-authenticate'), ['www-authenticate', 'Bearer']);
    const s = request(['x-user', 'mallory']);
    assert.equal(await verdict(policy({ required: false }), s), undefined);
    assert.deepEqual(s.headers, { 'x-user': '', 'x-roles': '' }, 'a client cannot supply a claim header');
    assert.equal(await verdict(policy({ required: false }), request(bearer('garbage'))), 401, 'a bad token is refused even when optional');
  });

  it('reads the token from a named header or query parameter, and forwards the payload', async () => {
    const p = new JwtAuth({ required: true, providers: [{ ...base, fromHeaders: [{ name: 'x-token', prefix: '' }], fromParams: ['access_token'], forwardPayloadHeader: 'x-jwt-payload' }] });
    const token = await key.sign(claims);
    const s = request(['x-token', token]);
    assert.equal(await verdict(p, s), undefined);
    assert.equal(JSON.parse(Buffer.from(s.headers['x-jwt-payload']!, 'base64url').toString()).sub, 'alice');
    assert.equal(await verdict(p, request([], `/a?access_token=${token}`)), undefined);
    assert.equal(await verdict(p, request(bearer(token))), 401, 'Authorization is not where this provider looks');
  });

  it('an inline key set jose cannot take fails its tokens with 401, not the route', async () => {
    const broken = new JwtAuth({ required: true, providers: [{ ...base, localJwks: '{"keys": "nope"}' }] });
    assert.equal(await verdict(broken, request(bearer(await key.sign(claims)))), 401);
  });

  it('tries each provider whose token is present, in order', async () => {
    const second = provider({ name: 'q', localJwks: JSON.stringify(jwks(other)), fromHeaders: [{ name: 'x-other', prefix: '' }] });
    const p = new JwtAuth({ required: true, providers: [base, second] });
    assert.equal(await verdict(p, request(['x-other', await other.sign({ sub: 'bob' })])), undefined);
    assert.equal(await verdict(p, request([...bearer('junk'), 'x-other', await other.sign({ sub: 'bob' })])), undefined);
  });
});

describe('JWKS cache', async () => {
  const k1 = await testKey('k1');
  const k2 = await testKey('k2');

  function source(sets: Array<JSONWebKeySet | Error>) {
    let clock = 1_000_000;
    const calls: number[] = [];
    const keys = new RemoteKeys('http://jwks.test/keys', 1000, 60_000, async () => {
      calls.push(clock);
      const next = sets.length > 1 ? sets.shift()! : sets[0]!;
      if (next instanceof Error) throw next;
      return next;
    }, () => clock);
    return { keys, calls, tick: (ms: number) => void (clock += ms) };
  }
  const warnings: string[] = [];
  const warn = (_f: Record<string, unknown>, m: string) => void warnings.push(m);

  it('fetches once, serves from cache, and refreshes in the background after cacheDuration', async () => {
    const s = source([jwks(k1), jwks(k1, k2)]);
    await s.keys.keys(warn);
    await s.keys.keys(warn);
    assert.equal(s.calls.length, 1);
    s.tick(60_000);
    await s.keys.keys(warn);
    assert.equal(s.calls.length, 2);
  });

  it('fetches again on an unknown kid, at most once per refetch interval', async () => {
    const s = source([jwks(k1), jwks(k1, k2)]);
    await s.keys.keys(warn);
    assert.equal(await s.keys.refetch(warn), undefined, 'too soon after the first fetch');
    s.tick(5000);
    assert.notEqual(await s.keys.refetch(warn), undefined);
    assert.equal(await s.keys.refetch(warn), undefined);
    assert.equal(s.calls.length, 2);
  });

  it('keeps serving the cached keys while the endpoint fails, and logs it once per interval', async () => {
    warnings.length = 0;
    const s = source([jwks(k1), new Error('connection refused')]);
    const first = await s.keys.keys(warn);
    s.tick(60_000);
    assert.equal(await s.keys.keys(warn), first);
    await new Promise((r) => setImmediate(r));
    s.tick(5000);
    await s.keys.keys(warn);
    await new Promise((r) => setImmediate(r));
    assert.equal(s.calls.length, 3);
    assert.deepEqual(warnings, ['JWKS fetch failed']);
  });

  it('rejects without keys while the endpoint is down, without fetching more than once per interval', async () => {
    const s = source([new Error('down')]);
    await assert.rejects(s.keys.keys(warn));
    await assert.rejects(s.keys.keys(warn));
    assert.equal(s.calls.length, 1);
  });
});

describe('verified token cache', async () => {
  const { VerifiedTokens, MAX_TOKENS } = await import('../../src/policies/jwt-cache.ts');

  it('keeps a verified payload until exp plus skew, and at most a minute', () => {
    let now = 1_000_000_000;
    const c = new VerifiedTokens(() => now);
    c.add('a', 0, { sub: 'x', exp: now / 1000 + 10 }, 5);
    c.add('b', 0, { sub: 'y' }, 5);
    assert.equal(c.get('a', 0)?.sub, 'x');
    assert.equal(c.get('a', 1), undefined, 'another provider did not verify it');
    now += 14_000;
    assert.equal(c.get('a', 0)?.sub, 'x');
    now += 2000;
    assert.equal(c.get('a', 0), undefined);
    now += 50_000;
    assert.equal(c.get('b', 0), undefined, 'no exp: a minute at most');
    c.add('old', 0, { exp: now / 1000 - 100 }, 0);
    assert.equal(c.size, 0, 'an expired payload is not kept');
  });

  it('holds a bounded number of tokens', () => {
    const c = new VerifiedTokens();
    for (let i = 0; i < MAX_TOKENS + 50; i++) c.add(`t${i}`, 0, {}, 0);
    assert.equal(c.size, MAX_TOKENS);
    assert.equal(c.get('t0', 0), undefined);
    assert.notEqual(c.get(`t${MAX_TOKENS + 49}`, 0), undefined);
  });
});

describe('JWT policy with the cache', async () => {
  const key = await testKey('k1');
  const p = new JwtAuth({ required: true, providers: [provider({ localJwks: JSON.stringify(jwks(key)), claimsToHeaders: [{ claim: 'sub', header: 'x-user' }] })] });

  it('answers a token it verified before at once, with the same claim headers', async () => {
    const token = await key.sign({ sub: 'alice' }, { expiresIn: '5m' });
    const first = request(bearer(token));
    assert.ok(p.onRequest!(first.req) instanceof Promise, 'the first sight is verified');
    assert.equal(await p.onRequest!(first.req), undefined);
    const again = request(bearer(token));
    assert.equal(p.onRequest!(again.req), undefined, 'synchronously');
    assert.deepEqual(again.headers, { 'x-user': 'alice' });
  });
});
