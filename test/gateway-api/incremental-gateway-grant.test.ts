// Gateway and ReferenceGrant edits are incremental too: a ReferenceGrant change re-translates only
// the routes whose backendRefs cross into the namespace it covers from the namespaces it names; a
// Gateway change attaches again only the routes that name that Gateway, translates no rules, and
// builds only the virtual hosts whose content changed. Counted with TranslateCache.onTranslate and
// onCompose, never timed; each result equals a translation from scratch.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TranslateResult } from '../../src/snapshot/types.ts';
import { harness } from './translate-harness.ts';
import { crossGrantYaml, gatewayYaml, routeYaml, scaleRoute } from '../../bench/httproute-gen.ts';

/** An HTTPRoute of namespace `ns` sending to Service `to` of namespace `toNs`. */
function crossRoute(name: string, ns: string, toNs: string, to: string): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}, namespace: ${ns} }
spec:
  parentRefs: [{ name: bench, namespace: bench }]
  hostnames: [${name}.${ns}.example.com]
  rules: [{ backendRefs: [{ name: ${to}, namespace: ${toNs}, port: 80 }] }]
`;
}

const resolvedRefs = (r: TranslateResult, ns: string, name: string): unknown =>
  ((r.objectStatuses ?? []).find((s) => s.kind === 'HTTPRoute' && s.namespace === ns && s.name === name)?.status as { parents: { conditions: { type: string; status: string }[] }[] } | undefined)?.parents[0]?.conditions.find((c) => c.type === 'ResolvedRefs')?.status;

test('a ReferenceGrant edit re-translates only the routes whose backendRefs cross into its namespace from the namespace it names', () => {
  const h = harness();
  h.file('gateway.yaml', gatewayYaml());
  for (let i = 0; i < 30; i++) h.file(`r${i}.yaml`, routeYaml(scaleRoute(i, 9001, 9002)));
  for (let i = 0; i < 3; i++) h.file(`x${i}.yaml`, crossRoute(`cross-${i}`, 'other', 'bench', `route-0000${i}-a`));
  // Crosses too, but into another namespace: a grant in `bench` does not concern it.
  h.file('y.yaml', crossRoute('elsewhere', 'other', 'third', 'svc'));
  let r = h.run();
  assert.equal(resolvedRefs(r, 'other', 'cross-0'), 'False');

  h.file('grant.yaml', crossGrantYaml());
  r = h.run();
  const cross = ['HTTPRoute other/cross-0', 'HTTPRoute other/cross-1', 'HTTPRoute other/cross-2'];
  assert.deepEqual(h.translated.sort(), cross);
  assert.deepEqual(h.attached.sort(), cross);
  assert.equal(resolvedRefs(r, 'other', 'cross-0'), 'True');

  h.merge.delete('grant.yaml');
  r = h.run();
  assert.deepEqual(h.translated.sort(), cross);
  assert.deepEqual(h.attached.sort(), cross);
  assert.equal(resolvedRefs(r, 'other', 'cross-1'), 'False');
});

const sideGateway = (extra: boolean): string => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: side, namespace: bench }
spec:
  gatewayClassName: sluice
  listeners:
    - { name: http, port: 81, protocol: HTTP }
${extra ? '    - { name: more, port: 82, protocol: HTTP }\n' : ''}`;

function sideRoute(i: number): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: side-${i}, namespace: bench }
spec:
  parentRefs: [{ name: side }]
  hostnames: [side-${i}.example.com]
  rules: [{ backendRefs: [{ name: route-00000-a, port: 80 }] }]
`;
}

test('a Gateway edit attaches again only the routes naming that Gateway, and builds no virtual host of another Gateway', () => {
  const h = harness();
  h.file('gateway.yaml', gatewayYaml());
  h.file('side.yaml', sideGateway(false));
  for (let i = 0; i < 30; i++) h.file(`r${i}.yaml`, routeYaml(scaleRoute(i, 9001, 9002)));
  for (let i = 0; i < 4; i++) h.file(`s${i}.yaml`, sideRoute(i));
  const first = h.run();

  h.file('side.yaml', sideGateway(true));
  const r = h.run();
  const side = [0, 1, 2, 3].map((i) => `HTTPRoute bench/side-${i}`);
  assert.deepEqual(h.translated, []);
  assert.deepEqual(h.attached.sort(), side);
  assert.deepEqual(h.built.filter((v) => !v.startsWith('gateway/127.0.0.1:82/')), []);
  assert.ok(r.snapshot.ports.some((p) => p.port === 82));
  // The other Gateway's routes keep their very status objects.
  const before = new Set(first.objectStatuses ?? []);
  assert.equal((r.objectStatuses ?? []).filter((s) => s.name.startsWith('route-') && before.has(s)).length, 30);

  h.file('side.yaml', sideGateway(false));
  h.run();
  assert.deepEqual(h.translated, []);
  assert.deepEqual(h.attached.sort(), side);
  assert.deepEqual(h.built, []);
});

test("a Gateway edit that changes no route's attachment (allowedRoutes All to Same, every route in its namespace) attaches no route and builds no virtual host", () => {
  const h = harness();
  h.file('gateway.yaml', gatewayYaml());
  for (let i = 0; i < 30; i++) h.file(`r${i}.yaml`, routeYaml(scaleRoute(i, 9001, 9002)));
  const first = h.run();

  h.file('gateway.yaml', gatewayYaml({ from: 'Same' }));
  const r = h.run();
  assert.deepEqual(h.translated, []);
  assert.deepEqual(h.attached, []);
  assert.deepEqual(h.built, []);
  assert.equal(r.snapshot.ports[0], first.snapshot.ports[0]);

  // A listener added on another port: the routes attach there too (no sectionName), port 80 is untouched.
  h.file('gateway.yaml', gatewayYaml({ from: 'Same', extraListener: true }));
  const r2 = h.run();
  assert.deepEqual(h.translated, []);
  assert.deepEqual(h.built, ['gateway/127.0.0.1:8080/extra.example.com']);
  assert.equal(r2.snapshot.ports.find((p) => p.port === 80), first.snapshot.ports[0]);
});

test('a listener added on a port routes already use keeps the virtual hosts whose content did not change (the same objects)', () => {
  const h = harness();
  h.file('gateway.yaml', gatewayYaml());
  for (let i = 0; i < 30; i++) h.file(`r${i}.yaml`, routeYaml(scaleRoute(i, 9001, 9002)));
  const first = h.run();
  h.file('gateway.yaml', gatewayYaml().replace('allowedRoutes: { namespaces: { from: All } } }', 'allowedRoutes: { namespaces: { from: All } } }\n    - { name: named, port: 80, protocol: HTTP, hostname: only.example.com }'));
  const r = h.run();
  const before = new Set(first.snapshot.ports[0]!.virtualHosts);
  const hosts = r.snapshot.ports[0]!.virtualHosts;
  assert.ok(hosts.some((v) => v.domains[0] === 'only.example.com'));
  assert.equal(hosts.filter((v) => before.has(v)).length, hosts.length - 1);
});
