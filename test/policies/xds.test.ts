// The policies in Envoy's terms: local_ratelimit per route (route keys only; see local-ratelimit.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Route } from '../../src/snapshot/types.ts';
import { checkMessage, type ProtoObject } from '../../src/xds/encode.ts';
import { httpConnectionManager } from '../../src/xds/listeners.ts';
import { envoyRoute } from '../../src/xds/route-action.ts';

const base: Route = { ingress: 'default/x', path: { type: 'prefix', value: '/' } as Route['path'], headers: [], query: [], filters: [], splits: [{ cluster: 'default/echo:80', weight: 100, filters: [] } as unknown as Route['splits'][number]] };

describe('local_ratelimit over xDS', () => {
  it('gives a rate-limited route its token bucket, enabling the filter for that route only', () => {
    const route = envoyRoute({ ...base, policies: { rateLimit: { requests: 120, unit: 'minute', burst: 200, key: 'route' } } }, { cors: true, fault: true });
    assert.deepEqual(checkMessage('envoy.config.route.v3.Route', route), []);
    const cfg = (route.typed_per_filter_config as Record<string, ProtoObject>)['envoy.filters.http.local_ratelimit']!;
    assert.equal(cfg['@type'], 'type.googleapis.com/envoy.config.route.v3.FilterConfig');
    const bucket = (cfg.config as ProtoObject).token_bucket as ProtoObject;
    assert.deepEqual(bucket, { max_tokens: 200, tokens_per_fill: { value: 1 }, fill_interval: { seconds: undefined, nanos: 500_000_000 } });
    assert.equal(envoyRoute(base, { cors: true, fault: true }).typed_per_filter_config, undefined);
  });

  it('leaves per-client buckets to the data plane', () => {
    const route = envoyRoute({ ...base, policies: { rateLimit: { requests: 1, unit: 'second', burst: 1, key: 'client' } } }, { cors: true, fault: true });
    assert.equal(route.typed_per_filter_config, undefined);
  });

  it('puts the filter, disabled, in every connection manager when some route has a limit, and nowhere otherwise', () => {
    const none = httpConnectionManager('l', { normalizePath: true, fault: false, filters: [] });
    assert.equal(((none.typed_config as ProtoObject).http_filters as ProtoObject[]).some((f) => f.name === 'envoy.filters.http.local_ratelimit'), false);
    const hcm = httpConnectionManager('l', { normalizePath: true, fault: false, rateLimit: true, filters: [] });
    const filters = (hcm.typed_config as ProtoObject).http_filters as ProtoObject[];
    assert.deepEqual(filters.find((f) => f.name === 'envoy.filters.http.local_ratelimit')?.disabled, true);
    for (const f of filters) assert.deepEqual(checkMessage('envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter', f), []);
  });
});
