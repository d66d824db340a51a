// Property: with Gateways and ReferenceGrants edited as often as routes (listeners added and
// removed, reordered, hostnames, allowedRoutes, protocol conflicts across Gateways on one port, grants for
// routes and Gateways coming and going, Namespace labels a selector reads, HTTPRoutes and GRPCRoutes
// sharing host names), the patched translation equals a translation from scratch
// after every edit, and most Gateway, grant and listener Secret edits attach only some of the
// routes again.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeCert, tlsSecret, type TestCert } from '../proxy/certs.ts';
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
const NAMESPACES = ['ns', 'other', 'third'] as const;
const GATEWAYS = ['g1', 'g2', 'g3'] as const;

function listener(rnd: Rnd, name: string): object {
  const from = pick(rnd, ['All', 'Same', 'Selector']);
  const protocol = pick(rnd, ['HTTP', 'HTTP', 'HTTP', 'HTTPS', 'TCP']);
  return {
    name,
    port: pick(rnd, [80, 80, 81, 443]),
    protocol,
    // A Secret of the Gateway's namespace, or of another one (a grant from Gateways needed).
    ...(protocol === 'HTTPS' && { tls: { certificateRefs: [{ name: pick(rnd, ['cert-a', 'cert-b']), ...(rnd() < 0.5 && { namespace: 'other' }) }] } }),
    ...(rnd() < 0.5 && { hostname: pick(rnd, ['one.example.com', '*.example.com', 'two.example.com']) }),
    allowedRoutes: {
      namespaces: { from, ...(from === 'Selector' && { selector: { matchLabels: rnd() < 0.5 ? { 'kubernetes.io/metadata.name': pick(rnd, NAMESPACES) } : { team: pick(rnd, ['a', 'b']) } } }) },
      ...(rnd() < 0.1 && { kinds: [{ kind: pick(rnd, ['HTTPRoute', 'GRPCRoute']) }] }),
    },
  };
}

function gatewayDoc(rnd: Rnd, name: string): object {
  const listeners = Array.from({ length: 1 + Math.floor(rnd() * 3) }, (_, i) => listener(rnd, `l${i}`));
  return {
    apiVersion: GW,
    kind: 'Gateway',
    metadata: { name, namespace: 'ns', creationTimestamp: pick(rnd, ['2024-01-01T00:00:00Z', '2024-02-01T00:00:00Z']), generation: 1 + Math.floor(rnd() * 3) },
    spec: { gatewayClassName: pick(rnd, ['sluice', 'sluice', 'sluice', 'other-class']), listeners },
  };
}

type GatewayDoc = { metadata: object; spec: { gatewayClassName: string; listeners: object[] } } & Record<string, unknown>;

// One change of the kind a user makes: a listener added or removed, or one field of one changed;
// the generation is left alone (file mode reads it from the file).
function tweak(rnd: Rnd, g: GatewayDoc): GatewayDoc {
  const listeners = [...g.spec.listeners];
  const i = Math.floor(rnd() * listeners.length);
  const l = listeners[i] as Record<string, unknown>;
  const fresh = listener(rnd, `l${i}`) as Record<string, unknown>;
  switch (pick(rnd, ['add', 'remove', 'hostname', 'allowedRoutes', 'port', 'protocol', 'reorder', 'label'])) {
    case 'reorder':
      listeners.reverse();
      break;
    case 'label':
      return { ...g, metadata: { ...g.metadata, labels: { edited: String(Math.floor(rnd() * 3)) } } };
    case 'add':
      if (listeners.length < 3) listeners.push(listener(rnd, `l${listeners.length}`));
      break;
    case 'remove':
      if (listeners.length > 1) listeners.pop();
      break;
    case 'hostname': {
      const { hostname: _, ...rest } = l;
      listeners[i] = rnd() < 0.3 ? rest : { ...l, hostname: pick(rnd, ['one.example.com', '*.example.com', 'two.example.com', 'x.example.com']) };
      break;
    }
    default: {
      const field = pick(rnd, ['allowedRoutes', 'port', 'protocol']);
      listeners[i] = { ...l, [field]: fresh[field] };
    }
  }
  return { ...g, spec: { ...g.spec, listeners } };
}

function routeDoc(rnd: Rnd): object {
  const namespace = pick(rnd, NAMESPACES);
  const backend = () => ({ name: pick(rnd, ['s0', 's1']), port: 80, ...(rnd() < 0.5 && { namespace: pick(rnd, NAMESPACES) }) });
  // Now and then a GRPCRoute: the two kinds may claim one host name (the older keeps it).
  const grpc = rnd() < 0.25;
  return {
    apiVersion: GW,
    kind: grpc ? 'GRPCRoute' : 'HTTPRoute',
    metadata: { name: pick(rnd, ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8']), namespace, ...(rnd() < 0.6 && { creationTimestamp: pick(rnd, ['2024-01-01T00:00:00Z', '2024-03-01T00:00:00Z']) }) },
    spec: {
      parentRefs: Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => ({
        name: pick(rnd, GATEWAYS),
        namespace: 'ns',
        ...(rnd() < 0.25 && { sectionName: pick(rnd, ['l0', 'l1', 'l2']) }),
        ...(rnd() < 0.1 && { port: pick(rnd, [80, 81]) }),
      })),
      hostnames: [pick(rnd, ['one.example.com', 'two.example.com', 'x.example.com', 'y.other.org'])],
      rules: [{ matches: [grpc ? { method: { service: pick(rnd, ['a.A', 'b.B']) } } : { path: { type: 'PathPrefix', value: pick(rnd, ['/', '/api']) } }], backendRefs: [backend(), ...(rnd() < 0.4 ? [backend()] : [])] }],
    },
  };
}

function grantDoc(rnd: Rnd): object {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1beta1',
    kind: 'ReferenceGrant',
    metadata: { name: pick(rnd, ['a', 'b']), namespace: pick(rnd, NAMESPACES) },
    spec: {
      from: Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => ({ group: 'gateway.networking.k8s.io', kind: pick(rnd, ['HTTPRoute', 'HTTPRoute', 'Gateway']), namespace: pick(rnd, NAMESPACES) })),
      to: [{ group: '', kind: pick(rnd, ['Service', 'Service', 'Secret']), ...(rnd() < 0.3 && { name: pick(rnd, ['s0', 's1']) }) }],
    },
  };
}

function serviceDoc(rnd: Rnd): object {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: pick(rnd, ['s0', 's1']), namespace: pick(rnd, NAMESPACES) }, spec: { ports: [{ name: 'http', port: 80, targetPort: pick(rnd, [8080, 8081]) }] } };
}

const text = (docs: readonly object[]): string => docs.map((d) => JSON.stringify(d)).join('\n---\n');
const CLASS = `{"apiVersion":"${GW}","kind":"GatewayClass","metadata":{"name":"sluice"},"spec":{"controllerName":"sluice.dev/gateway-controller"}}`;

let certDir = '';
let certs: TestCert[] = [];
before(() => {
  certDir = mkdtempSync(join(tmpdir(), 'sluice-gw-random-'));
  certs = [makeCert(certDir, 'one', ['one.example.com']), makeCert(certDir, 'two', ['*.example.com'])];
});
after(() => rmSync(certDir, { recursive: true, force: true }));

test('a random sequence of Gateway, ReferenceGrant, Secret and HTTPRoute edits, patched into the last result, equals a translation from scratch after every edit', () => {
  const rnd = mulberry32(20261208);
  const merge = new FileMerge();
  const store = new Store();
  const cache = new TranslateCache();
  let attached = 0;
  cache.onCompose = (what) => {
    if (what.startsWith('attach ')) attached++;
  };
  const file = (path: string, docs: readonly object[]): void => merge.set(path, parseConfigText(text(docs), path));
  merge.set('class.yaml', parseConfigText(CLASS, 'class.yaml'));
  const gateways = new Map<string, GatewayDoc>();
  const putGateway = (name: string, doc: GatewayDoc): void => {
    gateways.set(name, doc);
    file(`${name}.yaml`, [doc]);
  };
  for (const ns of ['ns', 'other']) for (const name of ['cert-a', 'cert-b']) file(`secret-${ns}-${name}.yaml`, [tlsSecret(name, certs[0] as TestCert, ns)]);
  for (const g of GATEWAYS) putGateway(g, gatewayDoc(rnd, g) as GatewayDoc);
  for (let i = 0; i < 12; i++) file(`r${i}.yaml`, [routeDoc(rnd)]);
  for (const ns of NAMESPACES) file(`svc-${ns}.yaml`, [0, 1].map((i) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: `s${i}`, namespace: ns }, spec: { ports: [{ name: 'http', port: 80 }] } })));
  let gatewayOrGrantSteps = 0;
  let partial = 0;
  let https = 0;
  for (let step = 0; step < 400; step++) {
    const what = rnd();
    let touchedGatewayOrGrant = false;
    if (what < 0.35) {
      const g = pick(rnd, GATEWAYS);
      const x = rnd();
      if (x < 0.08) merge.delete(`${g}.yaml`);
      else if (x < 0.3) putGateway(g, gatewayDoc(rnd, g) as GatewayDoc);
      else putGateway(g, tweak(rnd, gateways.get(g) as GatewayDoc));
      touchedGatewayOrGrant = true;
    } else if (what < 0.65) {
      const path = `grant${Math.floor(rnd() * 3)}.yaml`;
      if (rnd() < 0.3) merge.delete(path);
      else file(path, [grantDoc(rnd)]);
      touchedGatewayOrGrant = true;
    } else if (what < 0.85) {
      const path = `r${Math.floor(rnd() * 14)}.yaml`;
      if (rnd() < 0.15) merge.delete(path);
      else file(path, [routeDoc(rnd)]);
    } else if (what < 0.89) file(`svc-extra.yaml`, [serviceDoc(rnd)]);
    else if (what < 0.93) {
      // A Namespace's labels, which a listener's selector may read.
      const ns = pick(rnd, NAMESPACES);
      if (rnd() < 0.2) merge.delete(`ns-${ns}.yaml`);
      else file(`ns-${ns}.yaml`, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team: pick(rnd, ['a', 'b']) } } }]);
      touchedGatewayOrGrant = true;
    }
    else {
      // A listener's Secret replaced, or gone.
      const ns = pick(rnd, ['ns', 'other']);
      const name = pick(rnd, ['cert-a', 'cert-b']);
      if (rnd() < 0.3) merge.delete(`secret-${ns}-${name}.yaml`);
      else file(`secret-${ns}-${name}.yaml`, [tlsSecret(name, pick(rnd, certs), ns)]);
      touchedGatewayOrGrant = true;
    }
    const set = store.update(merge.state());
    const before = attached;
    const incremental = translate(set, options, cache);
    if (touchedGatewayOrGrant) {
      gatewayOrGrantSteps++;
      if (attached - before < set.httpRoutes.size + set.grpcRoutes.size) partial++;
    }
    if (incremental.snapshot.ports.some((p) => p.protocol === 'HTTPS')) https++;
    const scratch = translate(plainCopy(set), options, new TranslateCache());
    assert.deepEqual(served(incremental), served(scratch), `step ${step}: incremental translation = translation from scratch`);
  }
  assert.ok(https > 20, `HTTPS listeners were served (${https} steps)`);
  assert.ok(partial > gatewayOrGrantSteps / 2, `most Gateway and grant edits attached only some routes again (${partial} of ${gatewayOrGrantSteps})`);
});
