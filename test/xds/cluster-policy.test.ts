// BackendPolicy over xDS: Envoy clusters carry circuit_breakers.thresholds (explicit on every
// cluster, so Envoy's hidden 1024 never applies), outlier_detection and an http_health_check, each
// as the data plane reads the same IR; every one passes the strict encoder.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BackendPolicy } from '../../src/snapshot/backend-policy.ts';
import type { Cluster } from '../../src/snapshot/types.ts';
import { buildClusters } from '../../src/xds/clusters.ts';
import { checkMessage, type ProtoObject } from '../../src/xds/encode.ts';

const CLUSTER = 'envoy.config.cluster.v3.Cluster';
const UNLIMITED = { value: 4_294_967_295 };

function envoyCluster(c: Cluster): ProtoObject {
  const r = buildClusters([c]).clusters[0]!.resource;
  assert.deepEqual(checkMessage(CLUSTER, r), []);
  return r;
}

const base: Cluster = { name: 'default/web:80', protocol: 'http1', type: 'static', endpoints: [{ address: '10.0.0.1', port: 8080 }] };
const policy: BackendPolicy = {
  source: 'default/p',
  circuitBreakers: { maxConnections: 10, maxRequests: 100, maxConcurrentStreams: 7 },
  outlierDetection: { consecutive5xx: 3, consecutiveGatewayFailure: 2, consecutiveConnectFailure: 0, baseEjectionMs: 1500, maxEjectionPercent: 50 },
  healthCheck: { path: '/healthz', host: 'web.local', intervalMs: 5000, timeoutMs: 250, healthyThreshold: 2, unhealthyThreshold: 3, expectedStatuses: [[200, 299], [304, 304]] },
};

describe('cluster policy over xDS', () => {
  it('states unlimited thresholds on a cluster without a policy, rather than leaving Envoy its 1024', () => {
    const r = envoyCluster(base);
    assert.deepEqual(r.circuit_breakers, { thresholds: [{ priority: 'DEFAULT', max_connections: UNLIMITED, max_pending_requests: UNLIMITED, max_requests: UNLIMITED }] });
    assert.equal(r.outlier_detection, undefined);
    assert.equal(r.health_checks, undefined);
  });

  it('carries the circuit breakers, outlier detection and health check of a policy', () => {
    const r = envoyCluster({ ...base, policy });
    assert.deepEqual(r.circuit_breakers, { thresholds: [{ priority: 'DEFAULT', max_connections: { value: 10 }, max_pending_requests: UNLIMITED, max_requests: { value: 100 } }] });
    assert.deepEqual(r.outlier_detection, {
      consecutive_5xx: { value: 3 },
      enforcing_consecutive_5xx: { value: 100 },
      consecutive_gateway_failure: { value: 2 },
      enforcing_consecutive_gateway_failure: { value: 100 },
      enforcing_success_rate: { value: 0 },
      base_ejection_time: { seconds: 1, nanos: 500_000_000 },
      max_ejection_percent: { value: 50 },
    });
    assert.deepEqual(r.health_checks, [
      {
        timeout: { nanos: 250_000_000 },
        interval: { seconds: 5 },
        healthy_threshold: { value: 2 },
        unhealthy_threshold: { value: 3 },
        http_health_check: { path: '/healthz', host: 'web.local', expected_statuses: [{ start: 200, end: 300 }, { start: 304, end: 305 }] },
      },
    ]);
  });

  it('limits the streams of an h2c cluster per connection, ejects on connect failures as local-origin errors, and health-checks over HTTP/2', () => {
    const r = envoyCluster({ ...base, protocol: 'h2c', policy: { ...policy, outlierDetection: { ...policy.outlierDetection!, consecutiveConnectFailure: 4 } } });
    const opts = (r.typed_extension_protocol_options as Record<string, ProtoObject>)['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'];
    assert.deepEqual((opts as { explicit_http_config: { http2_protocol_options: ProtoObject } }).explicit_http_config.http2_protocol_options, { allow_connect: true, max_concurrent_streams: { value: 7 } });
    const od = r.outlier_detection as ProtoObject;
    assert.equal(od.split_external_local_origin_errors, true);
    assert.deepEqual(od.consecutive_local_origin_failure, { value: 4 });
    assert.equal(((r.health_checks as ProtoObject[])[0]!.http_health_check as ProtoObject).codec_client_type, 'HTTP2', 'probed over h2c');
  });
});
