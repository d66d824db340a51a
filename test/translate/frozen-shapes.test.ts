// Frozen translations share V8 hidden classes (maps): an ingress with a metadata.generation (every
// ingress read from Kubernetes) once got its generation by `{ ...out, generation }`, and V8 gave each
// such clone, once frozen, a map of its own: at 10,000 ingresses, 20,000 maps (translations and status
// reports) and their descriptor arrays, several MiB. Checked with V8's own %HaveSameMap.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import v8 from 'node:v8';
import type { KIngress, Service, Sourced } from '../../src/api/types.ts';
import { Store } from '../../src/store/store.ts';
import { TranslateCache } from '../../src/translate/cache.ts';
import { defaultTranslateOptions } from '../../src/translate/options.ts';
import { translate } from '../../src/translate/translate.ts';

const N = 50;

function ingress(i: number): KIngress {
  return {
    apiVersion: 'networking.internal.knative.dev/v1alpha1',
    kind: 'Ingress',
    metadata: { name: `app-${i}`, namespace: 'ns', generation: 1 + (i % 3) },
    spec: { rules: [{ hosts: [`app-${i}.example.com`], visibility: 'ExternalIP', http: { paths: [{ path: '/', splits: [{ serviceNamespace: 'ns', serviceName: `app-${i}`, servicePort: 80 }] }] } }] },
  };
}

function service(i: number): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: `app-${i}`, namespace: 'ns' }, spec: { ports: [{ name: 'http', port: 80 }] } };
}

/** V8's %HaveSameMap, compiled once natives syntax is allowed (the flag is read when a function is parsed). */
function sameMapCheck(): (a: object, b: object) => boolean {
  v8.setFlagsFromString('--allow-natives-syntax');
  try {
    return new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
  } finally {
    v8.setFlagsFromString('--no-allow-natives-syntax');
  }
}

test('translations and status reports of ingresses with a generation share one map each', () => {
  const sameMap = sameMapCheck();
  const resources: Sourced[] = [];
  for (let i = 0; i < N; i++) resources.push({ resource: ingress(i), origin: { cluster: true } }, { resource: service(i), origin: { cluster: true } });
  const cache = new TranslateCache();
  const set = new Store().update({ resources, rejections: [] });
  const result = translate(set, defaultTranslateOptions, cache);
  const reports = result.statuses;
  assert.equal(reports.length, N);
  assert.ok(reports.every((r) => r.generation !== undefined && Object.isFrozen(r)));
  assert.equal(reports.filter((r) => !sameMap(r, reports[0]!)).length, 0, 'status reports on maps of their own');
  const translated = resources.filter((s) => s.resource.kind === 'Ingress').map((s) => cache.ingress(s as Sourced<KIngress>, set, defaultTranslateOptions));
  assert.ok(translated.every((t) => t.generation !== undefined && Object.isFrozen(t)));
  assert.equal(translated.filter((t) => !sameMap(t, translated[0]!)).length, 0, 'translations on maps of their own');
});
