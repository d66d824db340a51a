// The IR's retry policy and timeouts as Envoy route fields, encoded through the protos and decoded
// back: retry_on from the policy's conditions, the backoff's max_interval, and the idle timeout.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Route } from '../../src/snapshot/types.ts';
import { encodedResources, irRoute, irSnapshot } from './helpers.ts';

// biome-ignore lint/suspicious/noExplicitAny: the tests walk Envoy's JSON by path; a wrong path fails the assertion.
type Obj = Record<string, any>;

function envoyAction(route: Route): Obj {
  const config = encodedResources(irSnapshot([route])).route!.get('external')!;
  return ((config.virtual_hosts as Obj[]).find((v) => v.name === 'web')!.routes as Obj[])[0]!.route as Obj;
}

describe('IR retries and timeouts as Envoy route fields', () => {
  it('lists the policy\'s retry_on conditions, and the backoff\'s max_interval', () => {
    const r = envoyAction(irRoute({ retry: { attempts: 3, codes: [503], backoffMs: 10, maxBackoffMs: 200, on: ['connect-failure', 'refused-stream'] } }));
    assert.deepEqual(r.retry_policy, {
      retry_on: 'connect-failure,refused-stream,retriable-status-codes',
      num_retries: { value: 3 },
      retriable_status_codes: [503],
      retry_back_off: { base_interval: { nanos: 10000000 }, max_interval: { nanos: 200000000 } },
    });
  });

  it('gives a max_interval alone Envoy\'s base interval', () => {
    const r = envoyAction(irRoute({ retry: { attempts: 1, codes: [], maxBackoffMs: 1000 } }));
    assert.deepEqual(r.retry_policy.retry_back_off, { base_interval: { nanos: 25000000 }, max_interval: { seconds: '1' } });
  });

  it('maps the idle timeout to the route\'s idle_timeout', () => {
    assert.deepEqual(envoyAction(irRoute({ timeout: { idle: 2500 } })).idle_timeout, { seconds: '2', nanos: 500000000 });
    assert.equal(envoyAction(irRoute({ timeout: { request: 100 } })).idle_timeout, undefined);
  });
});
