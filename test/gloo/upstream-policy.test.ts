// A Gloo Upstream's circuitBreakers, outlierDetection and healthChecks (Envoy's fields, in
// protobuf JSON) become its cluster's policy, as a BackendPolicy would set them; what cannot be
// served is named in the Upstream's status, and a BackendPolicy on the Upstream wins over them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backend } from '../support/config.ts';
import { glooState, translateDocs, upstream, vs } from './support.ts';

const petstore = backend('petstore', [{ ip: '10.0.0.1', port: 8080 }]);
const route = vs('v', { virtualHost: { domains: ['*'], routes: [{ routeAction: { single: { upstream: { name: 'pets' } } } }] } });
const kube = { serviceName: 'petstore', serviceNamespace: 'default', servicePort: 80 };

describe('Gloo Upstream backend options', () => {
  it('maps circuit breakers, outlier detection and an HTTP health check to the cluster policy', () => {
    const { result } = translateDocs([
      ...petstore,
      route,
      upstream('pets', {
        kube,
        circuitBreakers: { maxConnections: 10, maxPendingRequests: 5, maxRequests: 20, maxRetries: 3 },
        outlierDetection: { consecutive5xx: 4, baseEjectionTime: '1.5s', maxEjectionPercent: 40, consecutiveGatewayFailure: 2, enforcingConsecutiveGatewayFailure: 100, interval: '5s' },
        healthChecks: [{ timeout: '1s', interval: '2s', unhealthyThreshold: 3, healthyThreshold: 1, httpHealthCheck: { path: '/health', expectedStatuses: [{ start: 200, end: 300 }] } }],
      }),
    ]);
    const c = result.snapshot.clusters.find((x) => x.name === 'upstream:default/pets');
    assert.deepEqual(c?.policy, {
      source: 'Upstream default/pets',
      circuitBreakers: { maxConnections: 10, maxPendingRequests: 5, maxRequests: 20 },
      outlierDetection: { consecutive5xx: 4, consecutiveGatewayFailure: 2, consecutiveConnectFailure: 0, baseEjectionMs: 1500, maxEjectionPercent: 40 },
      healthCheck: { path: '/health', intervalMs: 2000, timeoutMs: 1000, healthyThreshold: 1, unhealthyThreshold: 3, expectedStatuses: [[200, 299]] },
    });
    const state = glooState(result, 'Upstream', 'pets');
    assert.equal(state.state, 'Warning');
    assert.ok(state.messages?.some((m) => m.includes('maxRetries')), JSON.stringify(state));
    assert.ok(state.messages?.some((m) => m.includes('interval')), JSON.stringify(state));
  });

  it('reports a health check it cannot serve and leaves it out', () => {
    const { result } = translateDocs([...petstore, route, upstream('pets', { kube, healthChecks: [{ timeout: '1s', interval: '2s', unhealthyThreshold: 1, healthyThreshold: 1, tcpHealthCheck: {} }] })]);
    assert.equal(result.snapshot.clusters.find((x) => x.name === 'upstream:default/pets')?.policy, undefined);
    assert.ok(glooState(result, 'Upstream', 'pets').messages?.some((m) => m.includes('httpHealthCheck')));
  });
});
