// autoHostname through xDS: `auto_host_rewrite` on the route action (never beside a literal, a
// oneof), and hostnames on the EDS endpoints of the clusters such routes send to, and only theirs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Route, Snapshot } from '../../src/snapshot/types.ts';
import { buildResources } from '../../src/xds/resources.ts';

type Obj = Record<string, unknown>;

const route = (cluster: string, filters: Route['filters']): Route => ({ ingress: 'x', path: { type: 'prefix', value: `/${cluster}` }, headers: [], query: [], filters, splits: [{ cluster, weight: 1, filters: [] }] });

function resources(): ReturnType<typeof buildResources> {
  const snapshot: Snapshot = {
    version: 1, hash: 'h', ports: [], tls: [], ingresses: [],
    clusters: ['auto', 'plain'].map((name) => ({ name, protocol: 'http1' as const, type: 'static' as const, endpoints: [{ address: name === 'auto' ? 'fd00::1' : '10.0.0.1', port: 80 }] })),
    listeners: {
      external: [{ name: 'v', domains: ['h.example.com'], ingress: 'x', httpOption: 'Enabled', routes: [route('auto', [{ type: 'url-rewrite', hostname: 'lit.example', autoHostname: true }]), route('plain', [{ type: 'url-rewrite', hostname: 'lit.example' }])] }],
      local: [],
    },
  };
  return buildResources(snapshot, { externalAddress: '0.0.0.0:8080', externalTlsAddress: '0.0.0.0:8443', localAddress: '0.0.0.0:8081' });
}

describe('autoHostname through xDS', () => {
  it('sets auto_host_rewrite instead of a literal host', () => {
    const routes = ((resources().route.find((r) => r.name === 'external')!.resource.virtual_hosts as Obj[])[0]!.routes as Obj[]).map((r) => r.route as Obj);
    assert.deepEqual([routes[0]!.auto_host_rewrite, routes[0]!.host_rewrite_literal], [{ value: true }, undefined]);
    assert.deepEqual([routes[1]!.auto_host_rewrite, routes[1]!.host_rewrite_literal], [undefined, 'lit.example']);
  });

  it("names the EDS endpoints of the clusters it sends to by their address (IPv6 in brackets), and no others'", () => {
    const hostnames = (name: string) => {
      const cla = resources().endpoint.find((e) => e.name === name)!.resource as Obj;
      return ((cla.endpoints as Obj[])[0]!.lb_endpoints as Obj[]).map((e) => (e.endpoint as Obj).hostname);
    };
    assert.deepEqual(hostnames('auto'), ['[fd00::1]']);
    assert.deepEqual(hostnames('plain'), [undefined]);
  });
});
