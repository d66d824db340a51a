// Which routes a Gateway or Namespace edit attaches again: only those whose attachment can come out
// otherwise (a listener that takes them, before or after the edit; a namespace whose labels a
// listener's selector reads). Counted with TranslateCache.onCompose, never timed; every result
// equals a translation from scratch (translate-harness.ts), statuses included.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TranslateResult } from '../../src/snapshot/types.ts';
import { harness } from './translate-harness.ts';
import { grpcRouteYaml, routeYaml, scaleRoute } from '../../bench/httproute-gen.ts';

interface ListenerShape {
  readonly name: string;
  readonly port?: number;
  readonly hostname?: string;
  /** allowedRoutes.namespaces.from; `Selector` selects `team: a` */
  readonly from?: 'All' | 'Same' | 'Selector';
}

function gateway(listeners: readonly ListenerShape[], labels = ''): string {
  const ls = listeners.map((l) => {
    const from = l.from ?? 'All';
    const ns = from === 'Selector' ? '{ from: Selector, selector: { matchLabels: { team: a } } }' : `{ from: ${from} }`;
    return `    - { name: ${l.name}, port: ${l.port ?? 80}, protocol: HTTP${l.hostname === undefined ? '' : `, hostname: ${JSON.stringify(l.hostname)}`}, allowedRoutes: { namespaces: ${ns} } }\n`;
  });
  return `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: sluice }
spec: { controllerName: sluice.dev/gateway-controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: bench, namespace: bench${labels} }
spec:
  gatewayClassName: sluice
  listeners:
${ls.join('')}`;
}

/** An HTTPRoute (or GRPCRoute) of namespace `ns` for host `host`, sending to a Service of its namespace. */
function route(name: string, ns: string, host: string, kind = 'HTTPRoute'): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: ${kind}
metadata: { name: ${name}, namespace: ${ns} }
spec:
  parentRefs: [{ name: bench, namespace: bench }]
  hostnames: [${host}]
  rules: [{ backendRefs: [{ name: svc, port: 80 }] }]
---
apiVersion: v1
kind: Service
metadata: { name: svc, namespace: ${ns} }
spec: { ports: [{ name: http, port: 80, targetPort: 8080 }] }
`;
}

const namespaceYaml = (name: string, team: string): string => `apiVersion: v1
kind: Namespace
metadata: { name: ${name}, labels: { team: ${team} } }
`;

const routeIds = (ids: readonly string[]): string[] => [...ids].sort();
const scale = (i: number): string => `HTTPRoute bench/${scaleRoute(i, 9001, 9002).name}`;

function parentReason(r: TranslateResult, kind: string, ns: string, name: string): string | undefined {
  const s = (r.objectStatuses ?? []).find((o) => o.kind === kind && o.namespace === ns && o.name === name);
  return (s?.status as { parents: { conditions: { type: string; reason: string }[] }[] } | undefined)?.parents[0]?.conditions.find((c) => c.type === 'Accepted')?.reason;
}

test('a Gateway edit that changes nothing a route attaches by attaches no route again', () => {
  const h = harness();
  h.file('gateway.yaml', gateway([{ name: 'http' }]));
  for (let i = 0; i < 30; i++) h.file(`r${i}.yaml`, routeYaml(scaleRoute(i, 9001, 9002)));
  const first = h.run();

  h.file('gateway.yaml', gateway([{ name: 'http' }], ', labels: { edited: "1" }, generation: 2'));
  const r = h.run();
  assert.deepEqual(h.attached, []);
  assert.deepEqual(h.built, []);
  assert.equal(r.snapshot.ports[0], first.snapshot.ports[0]);

  // A listener on another port for a host name no route has, then gone again.
  h.file('gateway.yaml', gateway([{ name: 'http' }, { name: 'extra', port: 8080, hostname: 'extra.example.com' }]));
  h.run();
  assert.deepEqual(h.attached, []);
  h.file('gateway.yaml', gateway([{ name: 'http' }]));
  h.run();
  assert.deepEqual(h.attached, []);
});

test('a listener added, renamed in its hostname or removed attaches again only the routes it takes, before or after', () => {
  const h = harness();
  h.file('gateway.yaml', gateway([{ name: 'http' }]));
  for (let i = 0; i < 30; i++) h.file(`r${i}.yaml`, routeYaml(scaleRoute(i, 9001, 9002)));
  h.run();

  const one = (host: string): string => gateway([{ name: 'http' }, { name: 'one', hostname: host }]);
  h.file('gateway.yaml', one(scaleRoute(3, 9001, 9002).host));
  h.run();
  assert.deepEqual(routeIds(h.attached), [scale(3)]);

  h.file('gateway.yaml', one(scaleRoute(4, 9001, 9002).host));
  h.run();
  assert.deepEqual(routeIds(h.attached), [scale(3), scale(4)]);

  h.file('gateway.yaml', gateway([{ name: 'http' }]));
  h.run();
  assert.deepEqual(routeIds(h.attached), [scale(4)]);
});

test('allowedRoutes All to Same and back attaches again only the routes of the namespaces it lets in or out', () => {
  const h = harness();
  h.file('gateway.yaml', gateway([{ name: 'http' }]));
  for (let i = 0; i < 30; i++) h.file(`r${i}.yaml`, routeYaml(scaleRoute(i, 9001, 9002)));
  h.file('o1.yaml', route('o1', 'other', 'o1.example.com'));
  h.file('o2.yaml', route('o2', 'other', 'o2.example.com'));
  h.run();

  h.file('gateway.yaml', gateway([{ name: 'http', from: 'Same' }]));
  let r = h.run();
  assert.deepEqual(routeIds(h.attached), ['HTTPRoute other/o1', 'HTTPRoute other/o2']);
  assert.equal(parentReason(r, 'HTTPRoute', 'other', 'o1'), 'NotAllowedByListeners');

  h.file('gateway.yaml', gateway([{ name: 'http' }]));
  r = h.run();
  assert.deepEqual(routeIds(h.attached), ['HTTPRoute other/o1', 'HTTPRoute other/o2']);
  assert.equal(parentReason(r, 'HTTPRoute', 'other', 'o1'), 'Accepted');
});

test("a Namespace's label edit attaches again only the routes of that namespace, and none without a selector listening", () => {
  const h = harness();
  h.file('gateway.yaml', gateway([{ name: 'http', from: 'Selector' }]));
  for (let n = 0; n < 5; n++) {
    h.file(`ns${n}.yaml`, namespaceYaml(`ns${n}`, n === 0 ? 'a' : 'b'));
    for (let i = 0; i < 4; i++) h.file(`ns${n}-r${i}.yaml`, route(`r${i}`, `ns${n}`, `r${i}.ns${n}.example.com`));
  }
  let r = h.run();
  assert.equal(parentReason(r, 'HTTPRoute', 'ns2', 'r0'), 'NotAllowedByListeners');
  const ns2 = [0, 1, 2, 3].map((i) => `HTTPRoute ns2/r${i}`);

  h.file('ns2.yaml', namespaceYaml('ns2', 'a'));
  r = h.run();
  assert.deepEqual(h.translated, []);
  assert.deepEqual(routeIds(h.attached), ns2);
  assert.equal(parentReason(r, 'HTTPRoute', 'ns2', 'r0'), 'Accepted');

  h.merge.delete('ns2.yaml');
  r = h.run();
  assert.deepEqual(routeIds(h.attached), ns2);
  assert.equal(parentReason(r, 'HTTPRoute', 'ns2', 'r0'), 'NotAllowedByListeners');

  // No listener selects by labels: a Namespace edit changes no attachment.
  h.file('gateway.yaml', gateway([{ name: 'http' }]));
  h.run();
  h.file('ns3.yaml', namespaceYaml('ns3', 'a'));
  h.run();
  assert.deepEqual(h.attached, []);
});

test('in a set of HTTPRoutes and GRPCRoutes, an edit of one route attaches that route alone, and a host name taken from the other kind is settled as from scratch', () => {
  const h = harness();
  h.file('gateway.yaml', gateway([{ name: 'http' }]));
  for (let i = 0; i < 20; i++) h.file(`r${i}.yaml`, (i % 2 === 0 ? routeYaml : grpcRouteYaml)(scaleRoute(i, 9001, 9002)));
  h.run();
  const grpc = (i: number): string => `GRPCRoute bench/${scaleRoute(i, 9001, 9002).name}`;

  h.file('r3.yaml', grpcRouteYaml({ ...scaleRoute(3, 9001, 9002), host: 'moved.example.com' }));
  h.run();
  assert.deepEqual(h.translated, [grpc(3)]);
  assert.deepEqual(h.attached, [grpc(3)]);

  // Route 5 (a GRPCRoute) takes route 2's host name (an HTTPRoute): one of them is refused, as from scratch.
  h.file('r5.yaml', grpcRouteYaml({ ...scaleRoute(5, 9001, 9002), host: scaleRoute(2, 9001, 9002).host }));
  let r = h.run();
  assert.equal(parentReason(r, 'GRPCRoute', 'bench', scaleRoute(5, 9001, 9002).name), 'NotAllowedByListeners');
  h.file('r5.yaml', grpcRouteYaml(scaleRoute(5, 9001, 9002)));
  r = h.run();
  assert.equal(parentReason(r, 'GRPCRoute', 'bench', scaleRoute(5, 9001, 9002).name), 'Accepted');

  // A Gateway edit in a mixed set attaches no route it does not concern either.
  h.file('gateway.yaml', gateway([{ name: 'http' }, { name: 'extra', port: 8080, hostname: 'extra.example.com' }]));
  h.run();
  assert.deepEqual(h.attached, []);
});
