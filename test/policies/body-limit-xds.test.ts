// Request body limits in Envoy's terms: the buffer filter, disabled in the connection managers of a
// snapshot with limits, enabled per route with max_request_bytes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Route } from '../../src/snapshot/types.ts';
import { checkMessage, type ProtoObject } from '../../src/xds/encode.ts';
import { httpConnectionManager, hcmOptions } from '../../src/xds/listeners.ts';
import { envoyRoute } from '../../src/xds/route-action.ts';

const base: Route = { ingress: 'default/x', path: { type: 'prefix', value: '/' } as Route['path'], headers: [], query: [], filters: [], splits: [{ cluster: 'default/echo:80', weight: 100, filters: [] } as unknown as Route['splits'][number]] };
const BUFFER = 'envoy.filters.http.buffer';
const limitOf = (maxBytes: number) => {
  const route = envoyRoute({ ...base, policies: { requestBody: { maxBytes } } }, { cors: true, fault: true });
  assert.deepEqual(checkMessage('envoy.config.route.v3.Route', route), []);
  const cfg = (route.typed_per_filter_config as Record<string, ProtoObject> | undefined)?.[BUFFER];
  return cfg === undefined ? undefined : (((cfg.config as ProtoObject).buffer as ProtoObject).max_request_bytes as ProtoObject).value;
};

describe('request body limits over xDS (buffer)', () => {
  it('gives a limited route max_request_bytes (0 as 1; none over 4 GiB, which Envoy cannot hold)', () => {
    assert.equal(limitOf(1000), 1000);
    assert.equal(limitOf(0), 1);
    assert.equal(limitOf(2 ** 33), undefined);
  });

  it('puts the filter, disabled, in the connection managers of a snapshot with a limit, and nowhere otherwise', () => {
    const snapshot = (policies?: Route['policies']) => ({ listeners: { external: [{ routes: [{ ...base, policies }] }], local: [] }, ports: [], tls: [] }) as never;
    const addresses = { externalAddress: '0.0.0.0:8080', externalTlsAddress: '0.0.0.0:8443', localAddress: '0.0.0.0:8081' };
    const filters = (hcm: ProtoObject) => (hcm.typed_config as ProtoObject).http_filters as ProtoObject[];
    const with_ = filters(httpConnectionManager('l', hcmOptions(snapshot({ requestBody: { maxBytes: 10 } }), addresses)));
    const f = with_.find((x) => x.name === BUFFER);
    assert.equal(f?.disabled, true);
    assert.deepEqual(checkMessage('envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter', f!), []);
    assert.equal(filters(httpConnectionManager('l', hcmOptions(snapshot(), addresses))).some((x) => x.name === BUFFER), false);
  });
});
