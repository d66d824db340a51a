// A route the rule translator cannot handle is not accepted and says why; the other routes are
// still served. The rule translator copes with every shape tried (validation refuses the rest), so
// a spec whose rules cannot even be read stands in for the input nobody foresaw.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Resource, Sourced } from '../../src/api/types.ts';
import { Store } from '../../src/store/store.ts';
import { defaultTranslateOptions } from '../../src/translate/options.ts';
import { translate } from '../../src/translate/translate.ts';

const V1 = 'gateway.networking.k8s.io/v1';
const s = (resource: object): Sourced => ({ resource: resource as Resource, origin: { file: 'x.yaml', doc: 0 } });

function unreadableRules(): object {
  const spec = { parentRefs: [{ name: 'gw' }], hostnames: ['bad.example.com'] };
  Object.defineProperty(spec, 'rules', { enumerable: true, get: () => { throw new Error('rules cannot be read'); } });
  return spec;
}

test('a route whose rules cannot be translated gets Accepted False and leaves the others served', () => {
  const set = new Store().update({
    resources: [
      s({ apiVersion: V1, kind: 'GatewayClass', metadata: { name: 'c' }, spec: { controllerName: 'sluice.dev/gateway-controller' } }),
      s({ apiVersion: V1, kind: 'Gateway', metadata: { name: 'gw', namespace: 'default' }, spec: { gatewayClassName: 'c', listeners: [{ name: 'h', port: 80, protocol: 'HTTP' }] } }),
      s({ apiVersion: V1, kind: 'HTTPRoute', metadata: { name: 'bad', namespace: 'default' }, spec: unreadableRules() }),
      s({ apiVersion: V1, kind: 'HTTPRoute', metadata: { name: 'good', namespace: 'default' }, spec: { parentRefs: [{ name: 'gw' }], hostnames: ['good.example.com'] } }),
    ],
    rejections: [],
  });
  const result = translate(set, defaultTranslateOptions);
  const served = result.snapshot.ports[0]?.virtualHosts.filter((v) => v.routes.length > 0).map((v) => v.domains[0]);
  assert.deepEqual(served, ['good.example.com']);
  const bad = result.objectStatuses?.find((o) => o.name === 'bad');
  const parents = bad?.status.parents as Array<{ conditions: Array<{ type: string; status: string; reason: string }> }> | undefined;
  const accepted = parents?.[0]?.conditions[0];
  assert.deepEqual([accepted?.type, accepted?.status, accepted?.reason], ['Accepted', 'False', 'UnsupportedValue']);
});
