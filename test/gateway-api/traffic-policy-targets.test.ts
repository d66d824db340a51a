// TrafficPolicy targets above and below a route (GEP-713, GEP-2648 sectionName): a Gateway (or
// one of its listeners) gives its policy to every route attached to it, a route rule by name to
// that rule's routes only. The most specific target wins the whole policy (rule, then route, then
// listener, then Gateway; no field merge, as Envoy Gateway does without mergeType); two policies
// on one target: the oldest wins, the other is Conflicted; a target that does not exist is
// TargetNotFound. Pure: translate() on plain documents.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Resource, Sourced } from '../../src/api/types.ts';
import type { ObjectStatus, Route, TranslateResult } from '../../src/snapshot/types.ts';
import { Store } from '../../src/store/store.ts';
import { defaultTranslateOptions } from '../../src/translate/options.ts';
import { translate } from '../../src/translate/translate.ts';
import { validateDocument } from '../../src/api/validate.ts';

const V1 = 'gateway.networking.k8s.io/v1';
const G = 'gateway.networking.k8s.io';
const at = { file: 'x.yaml', doc: 0 };
const s = (resource: object): Sourced => ({ resource: resource as Resource, origin: at });

const gatewayClass = s({ apiVersion: V1, kind: 'GatewayClass', metadata: { name: 'sluice' }, spec: { controllerName: 'sluice.dev/gateway-controller' } });
const gateway = (name: string, listeners: object[]) => s({ apiVersion: V1, kind: 'Gateway', metadata: { name, namespace: 'default' }, spec: { gatewayClassName: 'sluice', listeners } });
const route = (name: string, parentRefs: object[], rules: object[] = [{ backendRefs: [{ name: 'web', port: 80 }] }]) =>
  s({ apiVersion: V1, kind: 'HTTPRoute', metadata: { name, namespace: 'default' }, spec: { parentRefs, hostnames: [`${name}.example.com`], rules } });
const service = s({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80 }] } });

function policy(name: string, targetRefs: object[], requests: number, creationTimestamp = '2026-01-01T00:00:00Z'): Sourced {
  const doc = { apiVersion: 'sluice.dev/v1alpha1', kind: 'TrafficPolicy', metadata: { name, namespace: 'default', creationTimestamp }, spec: { targetRefs, rateLimit: { requests, unit: 'minute' } } };
  const out = validateDocument(doc, { file: 'p.yaml', line: 1 });
  assert.equal(out.kind, 'resource', JSON.stringify(out));
  return s(doc);
}

function run(resources: Sourced[]): TranslateResult {
  return translate(new Store().update({ resources: [gatewayClass, service, ...resources], rejections: [] }), defaultTranslateOptions);
}

/** The rate limit (requests per minute) each route of `host` gets, by its path prefix; 0: none. */
function limits(result: TranslateResult, host: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const port of result.snapshot.ports) {
    for (const vh of port.virtualHosts) {
      if (!vh.domains.includes(host)) continue;
      for (const r of vh.routes as Route[]) out[`${port.port} ${r.path.value}`] = r.policies?.rateLimit?.requests ?? 0;
    }
  }
  return out;
}

function reasons(result: TranslateResult, name: string): string[] {
  const st = result.objectStatuses?.find((o: ObjectStatus) => o.kind === 'TrafficPolicy' && o.name === name);
  assert.ok(st, `no status for ${name}`);
  return (st.status as { ancestors: Array<{ conditions: Array<{ reason: string }> }> }).ancestors.map((a) => a.conditions[0]!.reason);
}

const twoRules = [
  { name: 'api', matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backendRefs: [{ name: 'web', port: 80 }] },
  { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'web', port: 80 }] },
];

describe('TrafficPolicy on Gateways, listeners and route rules', () => {
  it('gives a Gateway-wide policy to every route attached to that Gateway, and not to another Gateway\'s', () => {
    const result = run([
      gateway('gw', [{ name: 'web', port: 80, protocol: 'HTTP' }]),
      gateway('other', [{ name: 'web', port: 81, protocol: 'HTTP' }]),
      route('a', [{ name: 'gw' }]),
      route('b', [{ name: 'gw' }]),
      route('c', [{ name: 'other' }]),
      policy('gw-wide', [{ group: G, kind: 'Gateway', name: 'gw' }], 10),
    ]);
    assert.deepEqual(limits(result, 'a.example.com'), { '80 /': 10 });
    assert.deepEqual(limits(result, 'b.example.com'), { '80 /': 10 });
    assert.deepEqual(limits(result, 'c.example.com'), { '81 /': 0 });
    assert.deepEqual(reasons(result, 'gw-wide'), ['Accepted']);
  });

  it('gives a listener\'s policy (Gateway with sectionName) to the routes on that listener only', () => {
    const result = run([
      gateway('gw', [
        { name: 'web', port: 80, protocol: 'HTTP' },
        { name: 'alt', port: 82, protocol: 'HTTP' },
      ]),
      route('a', [{ name: 'gw' }]),
      policy('alt-only', [{ group: G, kind: 'Gateway', name: 'gw', sectionName: 'alt' }], 7),
    ]);
    assert.deepEqual(limits(result, 'a.example.com'), { '80 /': 0, '82 /': 7 });
  });

  it('lets a route rule\'s policy replace the route\'s and the Gateway\'s for that rule only', () => {
    const result = run([
      gateway('gw', [{ name: 'web', port: 80, protocol: 'HTTP' }]),
      route('a', [{ name: 'gw' }], twoRules),
      route('b', [{ name: 'gw' }]),
      policy('gw-wide', [{ group: G, kind: 'Gateway', name: 'gw' }], 10),
      policy('route-a', [{ group: G, kind: 'HTTPRoute', name: 'a' }], 20),
      policy('rule-api', [{ group: G, kind: 'HTTPRoute', name: 'a', sectionName: 'api' }], 30),
    ]);
    assert.deepEqual(limits(result, 'a.example.com'), { '80 /api': 30, '80 /': 20 });
    assert.deepEqual(limits(result, 'b.example.com'), { '80 /': 10 });
    for (const p of ['gw-wide', 'route-a', 'rule-api']) assert.deepEqual(reasons(result, p), ['Accepted']);
  });

  it('lets a listener\'s policy replace the Gateway\'s', () => {
    const result = run([
      gateway('gw', [{ name: 'web', port: 80, protocol: 'HTTP' }]),
      route('a', [{ name: 'gw' }]),
      policy('gw-wide', [{ group: G, kind: 'Gateway', name: 'gw' }], 10),
      policy('listener', [{ group: G, kind: 'Gateway', name: 'gw', sectionName: 'web' }], 5),
    ]);
    assert.deepEqual(limits(result, 'a.example.com'), { '80 /': 5 });
  });

  it('lets the oldest of two Gateway policies win and reports the other Conflicted', () => {
    const result = run([
      gateway('gw', [{ name: 'web', port: 80, protocol: 'HTTP' }]),
      route('a', [{ name: 'gw' }]),
      policy('young', [{ group: G, kind: 'Gateway', name: 'gw' }], 99, '2026-06-01T00:00:00Z'),
      policy('old', [{ group: G, kind: 'Gateway', name: 'gw' }], 10, '2026-01-01T00:00:00Z'),
    ]);
    assert.deepEqual(limits(result, 'a.example.com'), { '80 /': 10 });
    assert.deepEqual(reasons(result, 'old'), ['Accepted']);
    assert.deepEqual(reasons(result, 'young'), ['Conflicted']);
  });

  it('reports a missing Gateway, listener, route or rule as TargetNotFound and attaches nothing', () => {
    const result = run([
      gateway('gw', [{ name: 'web', port: 80, protocol: 'HTTP' }]),
      route('a', [{ name: 'gw' }], twoRules),
      policy('lost', [
        { group: G, kind: 'Gateway', name: 'nope' },
        { group: G, kind: 'Gateway', name: 'gw', sectionName: 'nope' },
        { group: G, kind: 'HTTPRoute', name: 'nope' },
        { group: G, kind: 'HTTPRoute', name: 'a', sectionName: 'nope' },
      ], 10),
    ]);
    assert.deepEqual(reasons(result, 'lost'), ['TargetNotFound', 'TargetNotFound', 'TargetNotFound', 'TargetNotFound']);
    assert.deepEqual(limits(result, 'a.example.com'), { '80 /api': 0, '80 /': 0 });
  });
});
