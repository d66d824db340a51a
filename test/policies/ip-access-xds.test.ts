// IP access lists in Envoy's terms: the RBAC filter, disabled in every connection manager when some
// route has a list, enabled per route with an ALLOW policy on remote_ip.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Route } from '../../src/snapshot/types.ts';
import { checkMessage, type ProtoObject } from '../../src/xds/encode.ts';
import { httpConnectionManager, hcmOptions } from '../../src/xds/listeners.ts';
import { envoyRoute } from '../../src/xds/route-action.ts';

const base: Route = { ingress: 'default/x', path: { type: 'prefix', value: '/' } as Route['path'], headers: [], query: [], filters: [], splits: [{ cluster: 'default/echo:80', weight: 100, filters: [] } as unknown as Route['splits'][number]] };
const RBAC = 'envoy.filters.http.rbac';

function principalOf(route: ProtoObject): ProtoObject {
  const cfg = (route.typed_per_filter_config as Record<string, ProtoObject>)[RBAC]!;
  assert.equal(cfg['@type'], 'type.googleapis.com/envoy.config.route.v3.FilterConfig');
  const rules = (((cfg.config as ProtoObject).rbac as ProtoObject).rules as ProtoObject);
  assert.equal(rules.action, 'ALLOW');
  return ((rules.policies as Record<string, ProtoObject>)['ip-access']!.principals as ProtoObject[])[0]!;
}

describe('IP access over xDS (RBAC)', () => {
  it('allows the allow list minus the deny list on remote_ip, per route', () => {
    const route = envoyRoute({ ...base, policies: { ipAccess: { allow: ['10.0.0.0/8', '2001:db8::1'], deny: ['10.9.0.0/16'] } } }, { cors: true, fault: true });
    assert.deepEqual(checkMessage('envoy.config.route.v3.Route', route), []);
    assert.deepEqual(principalOf(route), {
      and_ids: {
        ids: [
          { or_ids: { ids: [{ remote_ip: { address_prefix: '10.0.0.0', prefix_len: { value: 8 } } }, { remote_ip: { address_prefix: '2001:db8::1', prefix_len: { value: 128 } } }] } },
          { not_id: { remote_ip: { address_prefix: '10.9.0.0', prefix_len: { value: 16 } } } },
        ],
      },
    });
  });

  it('a deny list alone lets everyone else through; an empty allow list nobody', () => {
    const deny = envoyRoute({ ...base, policies: { ipAccess: { deny: ['192.0.2.0/24'] } } }, { cors: true, fault: true });
    assert.deepEqual(principalOf(deny), { not_id: { remote_ip: { address_prefix: '192.0.2.0', prefix_len: { value: 24 } } } });
    const none = envoyRoute({ ...base, policies: { ipAccess: { allow: [] } } }, { cors: true, fault: true });
    assert.deepEqual(checkMessage('envoy.config.route.v3.Route', none), []);
    assert.deepEqual(principalOf(none), { not_id: { any: true } });
  });

  it('puts the filter, disabled, in the connection managers of a snapshot with a list, and nowhere otherwise', () => {
    const snapshot = (policies?: Route['policies']) => ({ listeners: { external: [{ routes: [{ ...base, policies }] }], local: [] }, ports: [], tls: [] }) as never;
    const addresses = { externalAddress: '0.0.0.0:8080', externalTlsAddress: '0.0.0.0:8443', localAddress: '0.0.0.0:8081' };
    const filters = (hcm: ProtoObject) => ((hcm.typed_config as ProtoObject).http_filters as ProtoObject[]);
    const with_ = filters(httpConnectionManager('l', hcmOptions(snapshot({ ipAccess: { deny: ['10.0.0.0/8'] } }), addresses)));
    assert.equal(with_.find((f) => f.name === RBAC)?.disabled, true);
    for (const f of with_) assert.deepEqual(checkMessage('envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter', f), []);
    assert.equal(filters(httpConnectionManager('l', hcmOptions(snapshot(), addresses))).some((f) => f.name === RBAC), false);
    assert.equal(envoyRoute(base, { cors: true, fault: true }).typed_per_filter_config, undefined);
  });
});
