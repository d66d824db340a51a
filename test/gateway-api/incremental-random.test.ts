// Property: Gateway API translation with a cache that went through a seeded random sequence of
// file edits (Gateways, HTTPRoutes and GRPCRoutes sharing host names, Services, EndpointSlices,
// ReferenceGrants coming and going) gives, after every edit, exactly what a translation of the same
// set from scratch gives; and no edit translates more routes than there are.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FileMerge } from '../../src/sources/merge.ts';
import { parseConfigText } from '../../src/sources/yaml-docs.ts';
import { Store } from '../../src/store/store.ts';
import { plainCopy, served } from './from-scratch.ts';
import { TranslateCache } from '../../src/translate/cache.ts';
import { defaultTranslateOptions } from '../../src/translate/options.ts';
import { translate } from '../../src/translate/translate.ts';
import { mulberry32 } from '../support/prng.ts';

type Rnd = () => number;
const pick = <T>(rnd: Rnd, items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
const options = { ...defaultTranslateOptions, gatewayAddress: '127.0.0.1' };
const GW = 'gateway.networking.k8s.io/v1';

function gatewayDoc(rnd: Rnd): object {
  const name = pick(rnd, ['g1', 'g2']);
  const listeners = [
    { name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: pick(rnd, ['All', 'Same']) } } },
    ...(rnd() < 0.5 ? [{ name: 'named', port: 80, protocol: 'HTTP', hostname: pick(rnd, ['one.example.com', '*.example.com']), allowedRoutes: { namespaces: { from: 'All' } } }] : []),
  ];
  return { apiVersion: GW, kind: 'Gateway', metadata: { name, namespace: 'ns', creationTimestamp: pick(rnd, ['2024-01-01T00:00:00Z', '2024-02-01T00:00:00Z']) }, spec: { gatewayClassName: 'sluice', listeners } };
}

function routeDoc(rnd: Rnd, grpcShare: number): object {
  const kind = rnd() < grpcShare ? 'GRPCRoute' : 'HTTPRoute';
  const namespace = pick(rnd, ['ns', 'other']);
  const backend = () => ({ name: pick(rnd, ['s0', 's1', 's2']), port: 80, ...(rnd() < 0.2 && { namespace: pick(rnd, ['ns', 'other']) }), ...(rnd() < 0.5 && { weight: 1 + Math.floor(rnd() * 9) }) });
  const rule = kind === 'HTTPRoute'
    ? { matches: [{ path: { type: 'PathPrefix', value: pick(rnd, ['/', '/api', '/v1']) } }], backendRefs: [backend(), ...(rnd() < 0.4 ? [backend()] : [])] }
    : { matches: [{ method: { service: pick(rnd, ['a.A', 'b.B']) } }], backendRefs: [backend()] };
  return {
    apiVersion: GW,
    kind,
    metadata: { name: pick(rnd, ['r1', 'r2', 'r3', 'r4', 'r5', 'r6']), namespace, ...(rnd() < 0.6 && { creationTimestamp: pick(rnd, ['2024-01-01T00:00:00Z', '2024-03-01T00:00:00Z']) }) },
    spec: {
      parentRefs: [{ name: pick(rnd, ['g1', 'g2']), namespace: 'ns', ...(rnd() < 0.2 && { sectionName: pick(rnd, ['http', 'named']) }) }],
      hostnames: [pick(rnd, ['one.example.com', 'two.example.com', 'x.example.com', 'one.example.com'])],
      rules: Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => rule),
    },
  };
}

function backendDoc(rnd: Rnd): object {
  const name = pick(rnd, ['s0', 's1', 's2']);
  const namespace = pick(rnd, ['ns', 'other']);
  switch (pick(rnd, ['service', 'service', 'slice', 'grant'])) {
    case 'service':
      return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { ports: [{ name: 'http', port: 80, targetPort: pick(rnd, [8080, 8081]) }] } };
    case 'slice':
      return {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: `${name}-x`, namespace, labels: { 'kubernetes.io/service-name': name } },
        addressType: 'IPv4',
        endpoints: [{ addresses: [`10.0.0.${1 + Math.floor(rnd() * 3)}`], conditions: { ready: rnd() < 0.8 } }],
        ports: [{ name: 'http', port: 8080 }],
      };
    default:
      return {
        apiVersion: 'gateway.networking.k8s.io/v1beta1',
        kind: 'ReferenceGrant',
        metadata: { name: 'allow', namespace },
        spec: { from: [{ group: 'gateway.networking.k8s.io', kind: pick(rnd, ['HTTPRoute', 'GRPCRoute']), namespace: pick(rnd, ['ns', 'other']) }], to: [{ group: '', kind: 'Service' }] },
      };
  }
}

function fileText(rnd: Rnd, grpcShare: number, gatewayShare: number): string {
  const docs = Array.from({ length: Math.floor(rnd() * 4) }, () => {
    const x = rnd();
    return x < gatewayShare ? gatewayDoc(rnd) : x < 0.55 ? routeDoc(rnd, grpcShare) : backendDoc(rnd);
  });
  return docs.map((d) => JSON.stringify(d)).join('\n---\n');
}

const CLASS = `{"apiVersion":"${GW}","kind":"GatewayClass","metadata":{"name":"sluice"},"spec":{"controllerName":"sluice.dev/gateway-controller"}}`;

test('a random sequence of Gateway API file edits translated incrementally equals a translation from scratch after every edit', () => {
  const rnd = mulberry32(20261206);
  const merge = new FileMerge();
  const store = new Store();
  const cache = new TranslateCache();
  let translations = 0;
  let reused = 0;
  cache.onTranslate = () => translations++;
  merge.set('class.yaml', parseConfigText(CLASS, 'class.yaml'));
  const paths = Array.from({ length: 8 }, (_, i) => `f${i}.yaml`);
  for (let step = 0; step < 300; step++) {
    for (let k = 0, n = 1 + Math.floor(rnd() * 2); k < n; k++) {
      const path = pick(rnd, paths);
      if (rnd() < 0.15) merge.delete(path);
      else merge.set(path, parseConfigText(fileText(rnd, 0.2, 0.1), path));
    }
    const set = store.update(merge.state());
    const before = translations;
    const incremental = translate(set, options, cache);
    const routes = set.httpRoutes.size + set.grpcRoutes.size;
    assert.ok(translations - before <= routes, `step ${step}: no more translations than routes`);
    if (translations - before < routes) reused++;
    const scratch = translate(plainCopy(set), options, new TranslateCache());
    assert.deepEqual(served(incremental), served(scratch), `step ${step}: incremental translation = translation from scratch`);
  }
  assert.ok(reused > 100, `kept rules were reused (${reused} steps)`);
});

test('a random sequence of HTTPRoute edits, patched into the last result, equals a translation from scratch after every edit', () => {
  const rnd = mulberry32(20261207);
  const merge = new FileMerge();
  const store = new Store();
  const cache = new TranslateCache();
  let attached = 0;
  let patched = 0;
  cache.onCompose = (what) => {
    if (what.startsWith('attach ')) attached++;
  };
  merge.set('class.yaml', parseConfigText(CLASS, 'class.yaml'));
  // The Gateways sit in files of their own, edited now and then: most edits touch routes and backends.
  const gateways = ['g1.yaml', 'g2.yaml'];
  for (const g of gateways) merge.set(g, parseConfigText(JSON.stringify(gatewayDoc(rnd)), g));
  const paths = Array.from({ length: 12 }, (_, i) => `f${i}.yaml`);
  for (let step = 0; step < 400; step++) {
    if (rnd() < 0.03) {
      const g = pick(rnd, gateways);
      merge.set(g, parseConfigText(JSON.stringify(gatewayDoc(rnd)), g));
    }
    for (let k = 0, n = 1 + Math.floor(rnd() * 2); k < n; k++) {
      const path = pick(rnd, paths);
      if (rnd() < 0.15) merge.delete(path);
      else merge.set(path, parseConfigText(fileText(rnd, 0, 0), path));
    }
    const set = store.update(merge.state());
    const before = attached;
    const incremental = translate(set, options, cache);
    if (attached - before < set.httpRoutes.size) patched++;
    const scratch = translate(plainCopy(set), options, new TranslateCache());
    assert.deepEqual(served(incremental), served(scratch), `step ${step}: incremental translation = translation from scratch`);
  }
  assert.ok(patched > 150, `most edits attached only the routes they touched (${patched} steps)`);
});
