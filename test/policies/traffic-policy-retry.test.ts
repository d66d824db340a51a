// A TrafficPolicy's `retry` and `timeouts`: validated with field paths, and attached as the route's
// retry policy and timeouts (the same IR the Gateway API's HTTPRoute retry/timeouts and Gloo's
// retries fill), replacing the route's own.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateDocument } from '../../src/api/validate.ts';
import { attachTrafficPolicies } from '../../src/gateway-api/traffic-policy-attach.ts';
import type { PolicyInputs } from '../../src/gateway-api/traffic-policy-targets.ts';
import type { TrafficPolicy } from '../../src/gateway-api/traffic-policy-types.ts';
import type { Route, TranslateResult, VirtualHost } from '../../src/snapshot/types.ts';
import { trafficPolicy } from './helpers.ts';

const origin = { file: 'policies.yaml', line: 3 };
const HTTPROUTE = { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'web' };

function errorsOf(spec: Record<string, unknown>): string[] {
  const out = validateDocument(trafficPolicy('p', spec), origin);
  return out.kind === 'rejected' ? out.rejection.errors.map((e) => `${e.path}: ${e.message}`) : [];
}

const FULL = {
  targetRefs: [HTTPROUTE],
  retry: { attempts: 3, perTryTimeout: '500ms', retryOn: ['connect-failure', 'refused-stream'], codes: [502, 503], backoff: { base: '10ms', max: '200ms' }, budget: { percent: 25, minConcurrency: 2 }, bodyLimit: 4096 },
  timeouts: { request: '10s', idle: '2s' },
};

describe('TrafficPolicy retry and timeouts validation', () => {
  it('accepts a full retry policy and timeouts, and either alone', () => {
    assert.deepEqual(errorsOf(FULL), []);
    assert.deepEqual(errorsOf({ retry: { attempts: 1 } }), []);
    assert.deepEqual(errorsOf({ timeouts: { idle: '1m' } }), []);
  });

  it('rejects bad fields naming each one', () => {
    const errs = errorsOf({
      retry: { attempts: -1, perTryTimeout: 'soon', retryOn: ['5xx'], codes: [99, 'x'], backoff: { base: '0s', max: 'x', jitter: 1 }, budget: { percent: 101, minConcurrency: -1 }, bodyLimit: -5, extra: true },
      timeouts: { request: '1d', idle: 3, backendRequest: '1s' },
    });
    for (const path of ['spec.retry.attempts', 'spec.retry.perTryTimeout', 'spec.retry.retryOn[0]', 'spec.retry.codes[0]', 'spec.retry.codes[1]', 'spec.retry.backoff.base', 'spec.retry.backoff.max', 'spec.retry.backoff.jitter', 'spec.retry.budget.percent', 'spec.retry.budget.minConcurrency', 'spec.retry.bodyLimit', 'spec.retry.extra', 'spec.timeouts.request', 'spec.timeouts.idle', 'spec.timeouts.backendRequest']) {
      assert.ok(errs.some((e) => e.startsWith(`${path}:`)), `${path} in ${errs.join('\n')}`);
    }
  });

  it('rejects a maximum backoff below the base', () => {
    assert.ok(errorsOf({ retry: { attempts: 1, backoff: { base: '1s', max: '10ms' } } }).some((e) => e.startsWith('spec.retry.backoff.max:')));
  });
});

function route(ingress: string, extra: Partial<Route> = {}): Route {
  return { ingress, path: { type: 'prefix', value: '/' }, headers: [], query: [], filters: [], splits: [], ...extra } as unknown as Route;
}

// The routes the policies target exist (a missing target is TargetNotFound).
function inputs(trafficPolicies: Map<string, TrafficPolicy>, ingresses: Map<string, unknown> = new Map()): PolicyInputs {
  const web = { spec: { parentRefs: [], rules: [] } };
  return { trafficPolicies, ingresses, gateways: new Map(), httpRoutes: new Map([['default/web', web], ['default/other', web]]), grpcRoutes: new Map() } as unknown as PolicyInputs;
}

function result(routes: Route[]): TranslateResult {
  const vh: VirtualHost = { name: 'vh', domains: ['a'], ingress: 'x', httpOption: 'Enabled', routes } as unknown as VirtualHost;
  return { snapshot: { hash: 'h', listeners: { external: [vh], local: [] }, ports: [], clusters: [], tls: [], ingresses: [] }, statuses: [], diagnostics: [] } as unknown as TranslateResult;
}

describe('TrafficPolicy retry and timeouts attachment', () => {
  it('sets the route\'s retry policy and timeouts (perTryTimeout as the backend request timeout)', () => {
    const p = trafficPolicy('p', FULL) as TrafficPolicy;
    const out = attachTrafficPolicies(result([route('HTTPRoute default/web', { retry: { attempts: 9, codes: [500] }, timeout: { request: 1 } })]), inputs(new Map([['default/p', p]])));
    const web = out.snapshot.listeners.external[0]!.routes[0]!;
    assert.deepEqual(web.retry, { attempts: 3, codes: [502, 503], backoffMs: 10, maxBackoffMs: 200, on: ['connect-failure', 'refused-stream'], budget: { percent: 25, minConcurrency: 2 }, bodyLimit: 4096 });
    assert.deepEqual(web.timeout, { request: 10_000, backendRequest: 500, idle: 2000 });
  });

  it('keeps the route\'s own timeouts the policy does not set, and its retries when it sets none', () => {
    const p = trafficPolicy('p', { targetRefs: [HTTPROUTE], timeouts: { idle: '2s' } }) as TrafficPolicy;
    const own = { attempts: 1, codes: [503] };
    const out = attachTrafficPolicies(result([route('HTTPRoute default/web', { retry: own, timeout: { request: 1000 } })]), inputs(new Map([['default/p', p]])));
    const web = out.snapshot.listeners.external[0]!.routes[0]!;
    assert.deepEqual(web.retry, own);
    assert.deepEqual(web.timeout, { request: 1000, idle: 2000 });
  });

  it('defaults a retry policy to connect failures, resets and refused streams, and no codes', () => {
    const p = trafficPolicy('p', { targetRefs: [HTTPROUTE], retry: { attempts: 2 } }) as TrafficPolicy;
    const out = attachTrafficPolicies(result([route('HTTPRoute default/web')]), inputs(new Map([['default/p', p]])));
    assert.deepEqual(out.snapshot.listeners.external[0]!.routes[0]!.retry, { attempts: 2, codes: [] });
  });
});
