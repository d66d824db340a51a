// Direct responses (IR `direct-response`): decided before any split is picked, answered by the
// gateway with the route's metric labels, invalid statuses refused at compile time (a 500, and the
// problem reported), and the xDS route configuration raising Envoy's body limit when it must.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { compileDirectResponse } from '../../src/proxy/direct-response.ts';
import type { Snapshot } from '../../src/snapshot/types.ts';
import { buildResources } from '../../src/xds/resources.ts';
import { get } from '../support/http.ts';
import { freePort, port, type PortsUnderTest, startPorts } from './gateway-ports-helpers.ts';
import { ask, route, routerFor, split } from './ir-helpers.ts';

const NO_EDITS = { set: [], add: [], remove: [] };

describe('direct responses', () => {
  it('answer before a split is picked, and a split of its own answers when picked', () => {
    const r = routerFor(
      route({ path: { type: 'prefix', value: '/route' }, filters: [{ type: 'direct-response', status: 404, body: 'gone' }] }),
      route({ splits: [split('a', 1, [{ type: 'direct-response', status: 200, body: 'split' }])] }),
    );
    const d = ask(r, { url: '/route/x' });
    assert.equal(d.kind, 'direct-response');
    assert.deepEqual(d.kind === 'direct-response' && d.reply, { status: 404, headers: [['content-type', 'text/plain']], body: 'gone' });
    const s = ask(r, { url: '/other' });
    assert.equal(s.kind === 'direct-response' && s.reply.body, 'split');
  });

  it('of a redirect and a direct response, the first listed answers', () => {
    const redirectFirst = routerFor(route({ filters: [{ type: 'redirect', statusCode: 302, path: { type: 'full', value: '/b' } }, { type: 'direct-response', status: 200 }] }));
    assert.equal(ask(redirectFirst, { url: '/a' }).kind, 'redirect');
    const directFirst = routerFor(route({ filters: [{ type: 'direct-response', status: 200 }, { type: 'redirect', statusCode: 302 }] }));
    assert.equal(ask(directFirst, { url: '/a' }).kind, 'direct-response');
  });

  it('refuse a status outside 200..599 with a 500 and say so; 204 and 304 carry no body', () => {
    const problems: string[] = [];
    for (const status of [99, 600, 1.5, Number.NaN]) {
      assert.equal(compileDirectResponse({ type: 'direct-response', status, body: 'x' }, NO_EDITS, (p) => problems.push(p)).status, 500);
    }
    assert.equal(problems.length, 4);
    assert.match(problems[0]!, /direct-response: status 99 is not 200\.\.599/);
    assert.deepEqual(compileDirectResponse({ type: 'direct-response', status: 204, body: 'x' }, NO_EDITS, assert.fail), { status: 204, headers: [], body: '' });
  });

  it("raise the xDS route configuration's body limit above Envoy's 4 KiB only when a body needs it", () => {
    const body = 'x'.repeat(5000);
    const limitOf = (b: string) => {
      const snapshot: Snapshot = {
        version: 1, hash: 'h', ports: [], clusters: [], tls: [], ingresses: [],
        listeners: { external: [{ name: 'v', domains: ['h.example.com'], ingress: 'x', httpOption: 'Enabled', routes: [route({ splits: [], filters: [{ type: 'direct-response', status: 200, body: b }] })] }], local: [] },
      };
      const res = buildResources(snapshot, { externalAddress: '0.0.0.0:8080', externalTlsAddress: '0.0.0.0:8443', localAddress: '0.0.0.0:8081' });
      return res.route.find((r) => r.name === 'external')!.resource.max_direct_response_body_size_bytes;
    };
    assert.deepEqual(limitOf(body), { value: 5000 });
    assert.equal(limitOf('small'), undefined);
  });
});

describe('direct responses on a served port', () => {
  let t: PortsUnderTest;
  let p: number;
  before(async () => {
    t = startPorts();
    p = await freePort();
    const ingress = 'VirtualService gloo/web';
    const vhost = { name: 'd', domains: ['d.example.com'], ingress, httpOption: 'Enabled' as const, routes: [route({ ingress, splits: [], filters: [{ type: 'direct-response', status: 418, body: 'teapot' }] })] };
    await t.publish({ ports: [{ ...port(p, 'HTTP'), virtualHosts: [vhost] }] });
  });
  after(() => t.stop());

  it("count in the request metric with the route's labels", async () => {
    const res = await get(`127.0.0.1:${p}`, 'd.example.com', '/');
    assert.equal(res.status, 418);
    assert.equal(res.body, 'teapot');
    const m = await t.metrics.requests.get();
    const v = m.values.find((x) => x.labels.ingress === 'VirtualService gloo/web' && x.labels.code === '418');
    assert.equal(v?.value, 1);
  });
});
