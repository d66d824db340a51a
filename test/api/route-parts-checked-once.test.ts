// A route's rules that repeat one filters or backendRefs object (as a file's reader gives equal
// parts of a file) have it checked once; a repeat that is wrong is still reported where it is.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Check } from '../../src/api/check.ts';
import { validateDocument } from '../../src/api/validate.ts';
import { checkRouteSpec } from '../../src/api/validate-routes.ts';

/** A Check that counts the paths it was asked to check as ports. */
class CountingCheck extends Check {
  ports = 0;
  override port(value: unknown, path: string, required = false): number | undefined {
    this.ports++;
    return super.port(value, path, required);
  }
}

const filters = [{ type: 'RequestHeaderModifier', requestHeaderModifier: { add: [{ name: 'x-a', value: '1' }] } }];
const backendRefs = [{ name: 'a', port: 80, weight: 90 }, { name: 'b', port: 80, weight: 10 }];
const route = (rules: unknown[]) => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'n' }, spec: { parentRefs: [{ name: 'gw' }], rules } });
const rule = (path: string, body: object) => ({ matches: [{ path: { type: 'PathPrefix', value: path } }], ...body });

test('four rules sharing one backendRefs object check its ports once', () => {
  const shared = new CountingCheck();
  checkRouteSpec(shared, route(['/a', '/b', '/c', '/'].map((p) => rule(p, { filters, backendRefs }))), 'HTTPRoute');
  const copies = new CountingCheck();
  checkRouteSpec(copies, route(['/a', '/b', '/c', '/'].map((p) => rule(p, structuredClone({ filters, backendRefs })))), 'HTTPRoute');
  assert.deepEqual([shared.errors, copies.errors], [[], []]);
  // one for the parentRef, then one per backendRef checked
  assert.equal(copies.ports, 1 + 4 * 2);
  assert.equal(shared.ports, 1 + 2);
});

test('a shared part that is wrong is reported at every rule that holds it', () => {
  const bad = [{ name: 'a', port: 70_000 }];
  const r = validateDocument(route([rule('/a', { backendRefs: bad }), rule('/b', { backendRefs: bad })]), { file: 'f.yaml' });
  assert.equal(r.kind, 'rejected');
  if (r.kind !== 'rejected') return;
  assert.deepEqual(r.rejection.errors.map((e) => e.path), ['spec.rules[0].backendRefs[0].port', 'spec.rules[1].backendRefs[0].port']);
});
