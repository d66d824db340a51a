// A request is counted against the object its route came from (Route.ingress: the metrics' and the
// status page's `ingress`), not the one owning the host: on a Gateway port a host is the Gateway's
// and its routes are several HTTPRoutes'. Regression: every Gateway API request was counted as
// `Gateway ns/name`, so per-route rates showed nothing for HTTPRoutes.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { compileRouter } from '../../src/proxy/router.ts';
import type { Decision } from '../../src/proxy/decide.ts';
import { ask, route, snapshotOf, vhost } from './ir-helpers.ts';

const ownerOf = (d: Decision): string | undefined => ('ingress' in d ? d.ingress : undefined);

it('a forwarded request and a route-level answer carry the route\'s object, not the host\'s', () => {
  const host = {
    ...vhost(['h.example.com'], [
      route({ ingress: 'HTTPRoute default/api', path: { type: 'prefix', value: '/api' } }),
      route({ ingress: 'HTTPRoute default/none', path: { type: 'prefix', value: '/none' }, splits: [] }),
      route({ ingress: 'HTTPRoute default/web' }),
    ]),
    ingress: 'Gateway default/gw',
  };
  const router = compileRouter(snapshotOf([host]));
  assert.equal(ownerOf(ask(router, { url: '/api/x' })), 'HTTPRoute default/api');
  assert.equal(ownerOf(ask(router, { url: '/' })), 'HTTPRoute default/web');
  const none = ask(router, { url: '/none' });
  assert.deepEqual([none.kind, ownerOf(none)], ['no-backend', 'HTTPRoute default/none']);
});
