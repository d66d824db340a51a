// Gloo's route `retries` option as the IR's retry policy: retryOn conditions become the failures
// retried (connect-failure, reset, refused-stream; 5xx and gateway-error cover all three, as in
// Envoy) and status codes, retryBackOff's maxInterval the backoff's cap.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RetryPolicy } from '../../src/snapshot/types.ts';
import { backend } from '../support/config.ts';
import { glooHost, translateDocs, vs } from './support.ts';

const petstore = backend('petstore', [{ ip: '10.0.0.1', port: 8080 }]);

function retryOf(retries: Record<string, unknown>): RetryPolicy | undefined {
  const { result } = translateDocs([
    ...petstore,
    vs('v', { virtualHost: { routes: [{ matchers: [{ prefix: '/' }], routeAction: { single: { upstream: { name: 'default-petstore-80' } } }, options: { retries } }] } }),
  ]);
  return glooHost(result, 'v').routes[0]?.retry;
}

describe('Gloo retries', () => {
  it('retries only the failures retryOn lists', () => {
    assert.deepEqual(retryOf({ retryOn: 'connect-failure,refused-stream', numRetries: 2 }), { attempts: 2, codes: [], on: ['connect-failure', 'refused-stream'] });
    assert.deepEqual(retryOf({ retryOn: 'reset', numRetries: 1 })?.on, ['reset']);
    assert.deepEqual(retryOf({ retryOn: 'retriable-4xx', numRetries: 1 }), { attempts: 1, codes: [409], on: [] });
  });

  it('keeps every failure for 5xx and gateway-error, as Envoy does', () => {
    assert.equal(retryOf({ retryOn: 'gateway-error', numRetries: 1 })?.on, undefined);
    assert.equal(retryOf({ retryOn: '5xx', numRetries: 1 })?.on, undefined);
  });

  it('maps retryBackOff maxInterval to the backoff cap', () => {
    assert.deepEqual(retryOf({ retryOn: '5xx', numRetries: 1, retryBackOff: { baseInterval: '10ms', maxInterval: '1s' } }), {
      attempts: 1,
      codes: [500, 501, 502, 503, 504, 505, 506, 507, 508, 509, 510, 511],
      backoffMs: 10,
      maxBackoffMs: 1000,
    });
  });
});
