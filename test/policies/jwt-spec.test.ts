// TrafficPolicy `spec.jwt`: validation with field paths, and the IR with its defaults.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateDocument } from '../../src/api/validate.ts';
import { jwtOf } from '../../src/gateway-api/traffic-policy-jwt.ts';
import { trafficPolicy } from './helpers.ts';

const origin = { file: 'policies.yaml', line: 3 };
function errorsOf(spec: Record<string, unknown>): string[] {
  const out = validateDocument(trafficPolicy('p', spec), origin);
  return out.kind === 'rejected' ? out.rejection.errors.map((e) => `${e.path}: ${e.message}`) : [];
}

const full = {
  required: false,
  providers: [
    {
      name: 'idp', issuer: 'https://idp.example.com', audiences: ['api'],
      remoteJwks: { uri: 'https://idp.example.com/.well-known/jwks.json', timeout: '2s', cacheDuration: '10m' },
      fromHeaders: [{ name: 'Authorization', prefix: 'Bearer ' }], fromParams: ['access_token'],
      claimsToHeaders: [{ claim: 'sub', header: 'X-User' }], forwardPayloadHeader: 'x-jwt-payload', clockSkew: '0s',
    },
    { name: 'inline', localJwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } },
  ],
};

describe('TrafficPolicy jwt', () => {
  it('accepts a full policy, a disabled one, and JWT beside other policies', () => {
    assert.deepEqual(errorsOf({ jwt: full }), []);
    assert.deepEqual(errorsOf({ jwt: { disabled: true } }), []);
    assert.deepEqual(errorsOf({ jwt: full, ipAccess: { deny: ['10.0.0.0/8'] }, requestBody: { maxBytes: 10 } }), []);
  });

  it('names every bad field', () => {
    const errs = errorsOf({
      jwt: {
        providers: [
          { name: 'Bad Name', remoteJwks: { uri: 'https://user@idp/', cacheDuration: '0s' }, localJwks: { keys: [] }, fromHeaders: [{ name: 'bad header' }], claimsToHeaders: [{ claim: '', header: 'content-length' }], extra: 1 },
          { name: 'dup', localJwks: { keys: [{}] } },
          { name: 'dup', remoteJwks: { uri: 'http://[::1]:0/' } },
        ],
        mode: 'strict',
      },
    });
    for (const path of [
      'spec.jwt.mode', 'spec.jwt.providers[0].name', 'spec.jwt.providers[0]: must set exactly one', 'spec.jwt.providers[0].remoteJwks.uri', 'spec.jwt.providers[0].remoteJwks.cacheDuration',
      'spec.jwt.providers[0].localJwks.keys', 'spec.jwt.providers[0].fromHeaders[0].name', 'spec.jwt.providers[0].claimsToHeaders[0].claim', 'spec.jwt.providers[0].claimsToHeaders[0].header',
      'spec.jwt.providers[0].extra', 'spec.jwt.providers[1].localJwks.keys[0].kty', 'spec.jwt.providers[2].name', 'spec.jwt.providers[2].remoteJwks.uri',
    ]) {
      assert.ok(errs.some((e) => e.startsWith(path)), `${path} in\n${errs.join('\n')}`);
    }
    assert.ok(errorsOf({ jwt: {} }).some((e) => e.startsWith('spec.jwt.providers')), 'providers are required unless disabled');
  });

  it('fills the defaults: required, Authorization Bearer, 5s fetch timeout, 5m cache, 60s skew; lower-case header names', () => {
    const ir = jwtOf({ providers: [{ name: 'idp', remoteJwks: { uri: 'https://idp/jwks' } }] });
    assert.equal(ir.required, true);
    assert.deepEqual(ir.providers[0], { name: 'idp', audiences: [], remoteJwks: { uri: 'https://idp/jwks', timeoutMs: 5000, cacheMs: 300_000 }, fromHeaders: [{ name: 'authorization', prefix: 'Bearer ' }], fromParams: [], claimsToHeaders: [], clockSkewSeconds: 60 });
    const given = jwtOf(full as never).providers[0]!;
    assert.deepEqual([given.fromHeaders, given.claimsToHeaders, given.clockSkewSeconds, given.remoteJwks], [[{ name: 'authorization', prefix: 'Bearer ' }], [{ claim: 'sub', header: 'x-user' }], 0, { uri: full.providers[0]!.remoteJwks!.uri, timeoutMs: 2000, cacheMs: 600_000 }]);
    assert.deepEqual(jwtOf({ providers: [{ name: 'q', localJwks: { keys: [] }, fromParams: ['t'] }] }).providers[0]!.fromHeaders, [], 'a parameter alone: no header');
  });
});
