// Routes parsed from different files hold one object for the parts they write alike (parentRefs,
// matches, filters): a YAML reader shares equal parts within one file only, and at 10,000 routes
// of one per file the parsed route rules were the largest share of the heap (README "Gateway API").
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { heldBy } from '../support/heap-held.ts';
import { parseConfigText } from '../../src/sources/yaml-docs.ts';
import { validateDocument } from '../../src/api/validate.ts';
import { forgetSharedRouteParts, shareRouteSpec } from '../../src/gateway-api/shared-route-parts.ts';
import type { HTTPRoute } from '../../src/gateway-api/types.ts';
import { routeYaml, scaleRoute } from '../../bench/httproute-gen.ts';

function routeOf(text: string, file: string): HTTPRoute {
  for (const e of parseConfigText(text, file).entries) {
    if (e.outcome.kind === 'resource' && e.outcome.resource.kind === 'HTTPRoute') return e.outcome.resource as HTTPRoute;
  }
  throw new Error(`no HTTPRoute in ${file}`);
}

test('routes of different files share their equal parentRefs and matches, and keep their own parts', () => {
  forgetSharedRouteParts();
  const a = routeOf(routeYaml(scaleRoute(1, 9001, 9002)), 'a.yaml');
  const b = routeOf(routeYaml(scaleRoute(2, 9001, 9002)), 'b.yaml');
  assert.equal(a.spec.parentRefs, b.spec.parentRefs);
  const ra = a.spec.rules ?? [];
  const rb = b.spec.rules ?? [];
  assert.equal(ra.length, rb.length);
  for (let i = 0; i < ra.length; i++) assert.equal(ra[i]?.matches, rb[i]?.matches);
  // What names each route's own Services and host stays its own, with its content.
  assert.notEqual(ra[0]?.backendRefs, rb[0]?.backendRefs);
  assert.deepEqual(a.spec.hostnames, [scaleRoute(1, 9001, 9002).host]);
  assert.deepEqual(b.spec.hostnames, [scaleRoute(2, 9001, 9002).host]);
  assert.equal(ra[0]?.backendRefs?.[0]?.name, `${scaleRoute(1, 9001, 9002).name}-a`);
  // Shared parts are read only: a change through one route would change the other.
  assert.ok(Object.isFrozen(a.spec.parentRefs));
  assert.ok(Object.isFrozen(ra[0]?.matches));
  assert.throws(() => (ra[0]?.matches as unknown[] | undefined)?.push({}));
});

test('a shared spec has the same content and key order; a non-plain value is kept as it is', () => {
  forgetSharedRouteParts();
  const when = new Date(0);
  const spec = { parentRefs: [{ name: 'gw' }], rules: [{ matches: [{ path: { type: 'Exact', value: '/' } }], stamp: when }], weird: { ['__proto__']: 1 } };
  const copy = JSON.parse(JSON.stringify({ parentRefs: spec.parentRefs, rules: [{ matches: spec.rules[0]?.matches }] })) as typeof spec;
  const first = shareRouteSpec(copy);
  const out = shareRouteSpec(spec);
  assert.deepEqual(Object.keys(out), ['parentRefs', 'rules', 'weird']);
  assert.equal(out.parentRefs, first.parentRefs);
  assert.equal(out.rules[0]?.matches, first.rules[0]?.matches);
  // A Date (not JSON) is kept as it is, not taken for its text.
  assert.equal(out.rules[0]?.stamp, when);
  assert.equal(shareRouteSpec({ rules: [{ stamp: when.toJSON() }] }).rules[0]?.stamp, when.toJSON());
  assert.deepEqual(Object.keys(out.weird), ['__proto__']);
  assert.equal(Object.getPrototypeOf(out.weird), Object.prototype);
  // 1 and "1" are different parts.
  const n = shareRouteSpec({ a: [1] });
  const s = shareRouteSpec({ a: ['1'] });
  assert.notEqual(n.a, s.a as unknown);
  assert.deepEqual(s.a, ['1']);
});

test('the table of parts seen is bounded: 200,000 parts all different are not kept', () => {
  forgetSharedRouteParts();
  const n = 200_000;
  const held = heldBy(() => {
    for (let i = 0; i < n; i++) shareRouteSpec({ hostnames: [`route-${i}.example.com`] });
    return 1;
  });
  // kept, each would be a key, an array and its string: over 100 bytes a part
  assert.ok(held < 2 * 1048576, `${(held / 1048576).toFixed(1)} MiB held`);
});

test('2,000 routes of one file each are held in fewer bytes than as parsed', () => {
  const n = 2000;
  const texts = Array.from({ length: n }, (_, i) => routeYaml(scaleRoute(i, 9001, 9002)));
  forgetSharedRouteParts();
  const held = heldBy(() => texts.map((t, i) => routeOf(t, `r${i}.yaml`).spec));
  // As each file parsed it (parts shared within the file only): about 2,400 bytes a route; shared, 1,700-1,950.
  assert.ok(held / n < 2150, `${(held / n).toFixed(0)} bytes per route`);
});

test('validation shares only Gateway API route specs', () => {
  forgetSharedRouteParts();
  const svc = (name: string) => validateDocument({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'ns' }, spec: { ports: [{ port: 80 }] } }, { file: `${name}.yaml`, doc: 0 });
  const a = svc('a');
  const b = svc('b');
  assert.ok(a.kind === 'resource' && b.kind === 'resource');
  assert.notEqual((a.resource as { spec: unknown }).spec, (b.resource as { spec: unknown }).spec);
});
