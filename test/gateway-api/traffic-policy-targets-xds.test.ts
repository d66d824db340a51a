// Gateway-wide and rule-level TrafficPolicies reach Envoy as the data plane serves them: each Envoy
// route of the Gateway's port carries the local_ratelimit bucket of its most specific policy
// (typed_per_filter_config), the rule's own where a rule has one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Resource, Sourced } from '../../src/api/types.ts';
import { Store } from '../../src/store/store.ts';
import { defaultTranslateOptions } from '../../src/translate/options.ts';
import { translate } from '../../src/translate/translate.ts';
import { encodedResources } from '../xds/helpers.ts';

const V1 = 'gateway.networking.k8s.io/v1';
const G = 'gateway.networking.k8s.io';
const s = (resource: object): Sourced => ({ resource: resource as Resource, origin: { file: 'x.yaml', doc: 0 } });
const echo = { name: 'web', port: 80 };
const policy = (name: string, targetRef: object, requests: number) =>
  s({ apiVersion: 'sluice.dev/v1alpha1', kind: 'TrafficPolicy', metadata: { name, namespace: 'default' }, spec: { targetRefs: [targetRef], rateLimit: { requests, unit: 'second' } } });

type Json = Record<string, unknown>;

describe('TrafficPolicies on a Gateway and a route rule over xDS', () => {
  it('gives each Envoy route the token bucket of its most specific policy', () => {
    const resources = [
      s({ apiVersion: V1, kind: 'GatewayClass', metadata: { name: 'sluice' }, spec: { controllerName: 'sluice.dev/gateway-controller' } }),
      s({ apiVersion: V1, kind: 'Gateway', metadata: { name: 'gw', namespace: 'default' }, spec: { gatewayClassName: 'sluice', listeners: [{ name: 'web', port: 80, protocol: 'HTTP' }] } }),
      s({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80 }] } }),
      s({
        apiVersion: V1,
        kind: 'HTTPRoute',
        metadata: { name: 'api', namespace: 'default' },
        spec: {
          parentRefs: [{ name: 'gw' }],
          hostnames: ['api.example.com'],
          rules: [
            { name: 'open', matches: [{ path: { type: 'PathPrefix', value: '/open' } }], backendRefs: [echo] },
            { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [echo] },
          ],
        },
      }),
      policy('gateway-wide', { group: G, kind: 'Gateway', name: 'gw' }, 10),
      policy('open-rule', { group: G, kind: 'HTTPRoute', name: 'api', sectionName: 'open' }, 500),
    ];
    const result = translate(new Store().update({ resources, rejections: [] }), defaultTranslateOptions);
    const encoded = encodedResources({ ...result.snapshot, version: 1 });
    const configs = [...Object.values(encoded).flatMap((table) => [...table.values()])].filter((r) => Array.isArray(r.virtual_hosts));
    const vhost = configs.flatMap((c) => c.virtual_hosts as Json[]).find((v) => (v.domains as string[]).some((d) => d.startsWith('api.example.com')));
    assert.ok(vhost, 'the Gateway port has a virtual host for api.example.com');
    const buckets = Object.fromEntries(
      (vhost.routes as Json[]).map((r) => {
        const match = r.match as Json;
        const cfg = (r.typed_per_filter_config as Record<string, Json> | undefined)?.['envoy.filters.http.local_ratelimit'];
        const bucket = ((cfg?.config as Json | undefined)?.token_bucket as Json | undefined)?.max_tokens;
        return [String(match.path_separated_prefix ?? match.prefix ?? match.path ?? JSON.stringify(match)), bucket];
      }),
    );
    assert.deepEqual(buckets, { '/open': 500, '/': 10 });
  });
});
