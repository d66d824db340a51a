// Global rate limits in parts: the TrafficPolicy's validation with field paths, its IR, the
// descriptors a request sends, the client's answer from the service's, and the policy against the
// fake service (Envoy's protocol) with failureMode. The two-replica run is test/e2e/policies-ratelimit.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { validateDocument } from '../../src/api/validate.ts';
import { policiesOf } from '../../src/gateway-api/traffic-policy-ir.ts';
import type { TrafficPolicy } from '../../src/gateway-api/traffic-policy-types.ts';
import { descriptorsOf, outcomeOf } from '../../src/policies/global-rate-limit-answer.ts';
import { GlobalRateLimit, RATE_LIMIT_FAILED } from '../../src/policies/global-rate-limit.ts';
import type { PolicyRequest } from '../../src/proxy/exchange-policy.ts';
import type { GlobalRateLimitPolicy, HeaderPair } from '../../src/snapshot/types.ts';
import { type RateLimitServer, startRateLimitServer } from './global-rate-limit-server.ts';
import { trafficPolicy } from './helpers.ts';

const origin = { file: 'policies.yaml', line: 3 };
const GLOBAL = { service: 'ratelimit.default.svc:8081', domain: 'edge', descriptors: [[{ key: 'generic_key', value: 'api' }]] };

function errorsOf(rateLimit: Record<string, unknown>): string[] {
  const out = validateDocument(trafficPolicy('p', { rateLimit }), origin);
  return out.kind === 'rejected' ? out.rejection.errors.map((e) => `${e.path}: ${e.message}`) : [];
}

describe('global rate limit validation', () => {
  it('accepts a global limit alone, or beside a local one', () => {
    assert.deepEqual(errorsOf({ global: { ...GLOBAL, timeout: '100ms', failureMode: 'deny' } }), []);
    assert.deepEqual(errorsOf({ requests: 10, unit: 'second', global: GLOBAL }), []);
    const entries = [{ key: 'user', fromHeader: 'X-User' }, { clientAddress: true }, { key: 'remote_address', clientAddress: true }, { key: 'r', route: true }];
    assert.deepEqual(errorsOf({ global: { ...GLOBAL, descriptors: [entries] } }), []);
  });

  it('rejects bad fields naming each one', () => {
    const errs = errorsOf({
      unit: 'minute',
      global: {
        service: 'no-port',
        domain: '',
        timeout: 'soon',
        failureMode: 'maybe',
        extra: 1,
        descriptors: [[{ key: 'a', value: 'x', fromHeader: 'b' }, { value: 'no key' }, { key: 'k', fromHeader: 'bad header' }, { key: 'user', clientAddress: true }, { key: 'k', value: 'line\nbreak' }], []],
      },
    });
    const want = [
      'spec.rateLimit.requests',
      'spec.rateLimit.global.service',
      'spec.rateLimit.global.domain',
      'spec.rateLimit.global.timeout',
      'spec.rateLimit.global.failureMode',
      'spec.rateLimit.global.extra',
      'spec.rateLimit.global.descriptors[0][0]',
      'spec.rateLimit.global.descriptors[0][1].key',
      'spec.rateLimit.global.descriptors[0][2].fromHeader',
      'spec.rateLimit.global.descriptors[0][3].key',
      'spec.rateLimit.global.descriptors[0][4].value',
      'spec.rateLimit.global.descriptors[1]',
    ];
    for (const path of want) assert.ok(errs.some((e) => e.startsWith(`${path}:`)), `${path} in\n${errs.join('\n')}`);
    assert.ok(errorsOf({ global: { ...GLOBAL, descriptors: [] } }).some((e) => e.startsWith('spec.rateLimit.global.descriptors:')));
    assert.ok(errorsOf({ global: { ...GLOBAL, service: 'rls:99999' } }).some((e) => e.startsWith('spec.rateLimit.global.service:')));
  });

  it('turns into the IR with Envoy defaults: 20ms, fail open', () => {
    const p = trafficPolicy('p', { rateLimit: { global: { ...GLOBAL, descriptors: [[{ key: 'u', fromHeader: 'X-User' }, { clientAddress: true }]] } } }) as TrafficPolicy;
    const ir = policiesOf(p);
    assert.equal(ir.rateLimit, undefined, 'no local limit');
    assert.deepEqual(ir.globalRateLimit, {
      service: GLOBAL.service,
      domain: 'edge',
      descriptors: [[{ key: 'u', fromHeader: 'x-user' }, { key: 'remote_address', clientAddress: true }]],
      timeout: 20,
      failureMode: 'allow',
    });
  });
});

function request(raw: string[] = [], set: HeaderPair[] = []): PolicyRequest {
  return {
    method: 'GET',
    url: '/',
    raw,
    clientAddress: '10.1.2.3',
    bodyless: true,
    requestBody: () => undefined,
    decision: { route: { route: { ingress: 'HTTPRoute default/api' } } } as unknown as PolicyRequest['decision'],
    setUpstreamHeaders: (pairs) => set.push(...pairs),
    dp: { log: { warn: () => {} } },
  };
}

const policy = (over: Partial<GlobalRateLimitPolicy> = {}): GlobalRateLimitPolicy => ({ service: '127.0.0.1:1', domain: 'edge', descriptors: [], timeout: 2000, failureMode: 'deny', ...over });

describe('global rate limit descriptors', () => {
  it('take each value from its source, and leave out a descriptor whose header is absent', () => {
    const p = policy({
      descriptors: [
        [{ key: 'generic_key', value: 'api' }, { key: 'route', route: true }],
        [{ key: 'remote_address', clientAddress: true }],
        [{ key: 'user', fromHeader: 'x-user' }],
        [{ key: 'tenant', fromHeader: 'x-tenant' }, { key: 'generic_key', value: 'never sent' }],
      ],
    });
    assert.deepEqual(descriptorsOf(p, request(['X-User', 'alice'])), [
      [{ key: 'generic_key', value: 'api' }, { key: 'route', value: 'HTTPRoute default/api' }],
      [{ key: 'remote_address', value: '10.1.2.3' }],
      [{ key: 'user', value: 'alice' }],
    ]);
  });
});

describe("the client's answer from the service's", () => {
  it('OVER_LIMIT: 429 with the safe service headers and RateLimit headers from the longest reset', () => {
    const o = outcomeOf({
      overallCode: 2,
      statuses: [
        { code: 1, limitRemaining: 7 },
        { code: 2, currentLimit: { requestsPerUnit: 10, unit: 3 }, limitRemaining: 0, durationUntilReset: { seconds: '120' } },
        { code: 2, currentLimit: { requestsPerUnit: 5, unit: 1 }, durationUntilReset: { seconds: '0', nanos: 300_000_000 } },
      ],
      responseHeadersToAdd: [{ key: 'x-why', value: 'quota' }, { key: 'transfer-encoding', value: 'chunked' }, { key: 'x-bad', value: 'a\r\nb' }],
    });
    assert.equal(o.kind, 'limited');
    if (o.kind !== 'limited') return;
    assert.equal(o.reply.status, 429);
    assert.deepEqual(o.reply.headers.slice(1), [
      ['x-why', 'quota'],
      ['ratelimit-policy', '"global";q=10;w=3600'],
      ['ratelimit', '"global";r=0;t=120'],
      ['retry-after', '120'],
    ]);
  });

  it('OK: allows with the request headers to add; UNKNOWN or no code: an error', () => {
    assert.deepEqual(outcomeOf({ overallCode: 1, requestHeadersToAdd: [{ key: 'X-Quota', value: 'gold' }, { key: 'host', value: 'evil' }] }), { kind: 'allow', upstreamHeaders: [['x-quota', 'gold']] });
    assert.deepEqual(outcomeOf({ overallCode: 0 }), { kind: 'error' });
    assert.deepEqual(outcomeOf({}), { kind: 'error' });
  });
});

describe('global rate limit policy against a service speaking the real proto', () => {
  let rls: RateLimitServer;
  before(async () => {
    rls = await startRateLimitServer(2);
  });
  after(() => rls?.close());

  it('counts through the service, then answers 429', async () => {
    const rl = new GlobalRateLimit(policy({ service: rls.address, descriptors: [[{ key: 'user', fromHeader: 'x-user' }]] }));
    const set: HeaderPair[] = [];
    assert.equal(await rl.onRequest(request(['x-user', 'carol'], set)), undefined);
    assert.deepEqual(set, [['x-ratelimit-checked', 'yes']]);
    assert.equal(await rl.onRequest(request(['x-user', 'carol'])), undefined);
    assert.equal((await rl.onRequest(request(['x-user', 'carol'])))?.status, 429);
    assert.equal(rls.hits.get('edge|user=carol'), 3);
  });

  it('makes no call when no descriptor has its values', async () => {
    const before = rls.seen.length;
    const rl = new GlobalRateLimit(policy({ service: rls.address, descriptors: [[{ key: 'user', fromHeader: 'x-user' }]] }));
    assert.equal(rl.onRequest(request()), undefined);
    assert.equal(rls.seen.length, before);
  });

  it('follows failureMode on a gRPC error, an unknown code, and an unreachable service', async () => {
    const deny = new GlobalRateLimit(policy({ service: rls.address, descriptors: [[{ key: 'user', fromHeader: 'x-user' }]] }));
    const allow = new GlobalRateLimit(policy({ service: rls.address, failureMode: 'allow', descriptors: [[{ key: 'user', fromHeader: 'x-user' }]] }));
    for (const user of ['fail', 'unknown']) {
      assert.equal(await deny.onRequest(request(['x-user', user])), RATE_LIMIT_FAILED);
      assert.equal(await allow.onRequest(request(['x-user', user])), undefined);
    }
    const down = new GlobalRateLimit(policy({ timeout: 500, descriptors: [[{ key: 'k', value: 'v' }]] }));
    assert.equal((await down.onRequest(request()))?.status, 500);
  });

  it('gives up when the service does not answer within the timeout', async () => {
    const slow = new GlobalRateLimit(policy({ service: rls.address, timeout: 100, descriptors: [[{ key: 'k', value: 'slow' }]] }));
    const t0 = performance.now();
    assert.equal(await slow.onRequest(request()), RATE_LIMIT_FAILED);
    assert.ok(performance.now() - t0 < 5000);
  });
});
