// Incremental translation (translate/cache.ts): with a cache carried across pushes, changing one
// ingress (or one Service it reads) re-translates only the ingresses concerned, and the result is
// the same as translating the same input from scratch. Counted through the cache's onTranslate
// hook, never timed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Endpoints, KIngress, Service, Sourced } from '../../src/api/types.ts';
import type { TranslateResult } from '../../src/snapshot/types.ts';
import type { SourceState } from '../../src/sources/types.ts';
import { Store } from '../../src/store/store.ts';
import { TranslateCache } from '../../src/translate/cache.ts';
import { defaultTranslateOptions } from '../../src/translate/options.ts';
import { translate } from '../../src/translate/translate.ts';

const N = 2000;

function ingress(i: number, host = `app-${i}.example.com`): KIngress {
  return {
    apiVersion: 'networking.internal.knative.dev/v1alpha1',
    kind: 'Ingress',
    metadata: { name: `app-${i}`, namespace: 'ns' },
    spec: {
      rules: [
        {
          hosts: [host],
          visibility: 'ExternalIP',
          http: {
            paths: [
              {
                path: '/',
                splits: [
                  { serviceNamespace: 'ns', serviceName: `app-${i}-a`, servicePort: 80, percent: 90, appendHeaders: { 'X-Rev': 'a' } },
                  { serviceNamespace: 'ns', serviceName: `app-${i}-b`, servicePort: 80, percent: 10 },
                ],
              },
            ],
          },
        },
      ],
    },
  };
}

function service(name: string): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'ns' }, spec: { ports: [{ name: 'http', port: 80 }] } };
}

function endpoints(name: string, ip: string): Endpoints {
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: 'ns' }, subsets: [{ addresses: [{ ip }], ports: [{ name: 'http', port: 8080 }] }] };
}

function sourced(resource: Sourced['resource'], i: number): Sourced {
  return { resource, origin: { file: `app-${String(i).padStart(5, '0')}.yaml` } };
}

/** The resources of N apps, as a source would push them; `replace` swaps in new objects by index. */
function state(base: Sourced[], replace: ReadonlyMap<number, Sourced> = new Map()): SourceState {
  return { resources: base.map((s, i) => replace.get(i) ?? s), rejections: [] };
}

function apps(): Sourced[] {
  const out: Sourced[] = [];
  for (let i = 0; i < N; i++) {
    out.push(sourced(ingress(i), i));
    for (const rev of ['a', 'b']) {
      out.push(sourced(service(`app-${i}-${rev}`), i));
      out.push(sourced(endpoints(`app-${i}-${rev}`, `10.0.${i % 250}.${rev === 'a' ? 1 : 2}`), i));
    }
  }
  return out;
}

/** Index in apps() of app i's ingress, and of its Endpoints of revision a. */
const ingressAt = (i: number) => i * 5;
const endpointsAAt = (i: number) => i * 5 + 2;

/** What a translation serves, without its diffs (they say how it was made from the one before, so they depend on history). */
function served(r: TranslateResult): Omit<TranslateResult, 'diffs'> {
  return { snapshot: r.snapshot, statuses: r.statuses, diagnostics: r.diagnostics };
}

function counting(): { cache: TranslateCache; translated: string[] } {
  const cache = new TranslateCache();
  const translated: string[] = [];
  cache.onTranslate = (key) => translated.push(key);
  return { cache, translated };
}

test('changing one ingress of 2000 re-translates only that one, and equals a translation from scratch', () => {
  const base = apps();
  const store = new Store();
  const { cache, translated } = counting();
  const first = translate(store.update(state(base)), defaultTranslateOptions, cache);
  assert.equal(translated.length, N);

  translated.length = 0;
  const again = translate(store.update(state(base)), defaultTranslateOptions, cache);
  assert.deepEqual(translated, [], 'an unchanged state translates nothing');
  assert.equal(again.snapshot.hash, first.snapshot.hash);

  translated.length = 0;
  const edited = state(base, new Map([[ingressAt(1234), sourced(ingress(1234, 'edited.example.com'), 1234)]]));
  const incremental = translate(store.update(edited), defaultTranslateOptions, cache);
  assert.deepEqual(translated, ['ns/app-1234']);
  assert.notEqual(incremental.snapshot.hash, first.snapshot.hash);
  assert.ok(incremental.snapshot.listeners.external.some((vh) => vh.domains.includes('edited.example.com')));

  const scratch = translate(new Store().update(edited), defaultTranslateOptions);
  assert.deepEqual(served(incremental), served(scratch));
  assert.equal(scratch.diffs, undefined, 'a translation from scratch has nothing to lead from');
  // The result says how its lists were made from the last result's: one virtual host per listener
  // and one ingress info replaced, nothing else.
  const d = incremental.diffs!;
  assert.equal(d.since, again.snapshot);
  for (const l of ['external', 'local'] as const) {
    assert.deepEqual(d[l].removed.map((v) => v.name), ['ns/app-1234/0'], `${l} removed`);
    assert.deepEqual(d[l].added, incremental.snapshot.listeners[l].filter((v) => v.ingress === 'ns/app-1234'), `${l} added`);
  }
  assert.deepEqual([d.ingresses.removed.length, d.ingresses.added.length], [1, 1]);
  // Its clusters are its own, made again with it (equal, but new objects).
  const names = (cs: readonly { name: string }[]) => cs.map((c) => c.name).sort();
  assert.deepEqual([names(d.clusters.removed), names(d.clusters.added)], [['ns/app-1234-a:80', 'ns/app-1234-b:80'], ['ns/app-1234-a:80', 'ns/app-1234-b:80']]);
  assert.deepEqual(d.tls, { removed: [], added: [] });
});

test('changing the Endpoints one ingress reads re-translates only that ingress', () => {
  const base = apps();
  const store = new Store();
  const { cache, translated } = counting();
  translate(store.update(state(base)), defaultTranslateOptions, cache);
  translated.length = 0;
  const edited = state(base, new Map([[endpointsAAt(7), sourced(endpoints('app-7-a', '192.0.2.7'), 7)]]));
  const incremental = translate(store.update(edited), defaultTranslateOptions, cache);
  assert.deepEqual(translated, ['ns/app-7']);
  const cluster = incremental.snapshot.clusters.find((c) => c.name === 'ns/app-7-a:80');
  assert.deepEqual(cluster?.endpoints, [{ address: '192.0.2.7', port: 8080 }]);
  assert.deepEqual(served(incremental), served(translate(new Store().update(edited), defaultTranslateOptions)));
});

test('a host conflict created by one edit is settled as from scratch; removing it restores the old result', () => {
  const base = apps();
  const store = new Store();
  const { cache, translated } = counting();
  const before = translate(store.update(state(base)), defaultTranslateOptions, cache);
  // app-5 (newer by name order, no timestamps) takes app-4's host: app-4 keeps it, app-5 gets HostConflict.
  const edited = state(base, new Map([[ingressAt(5), sourced(ingress(5, 'app-4.example.com'), 5)]]));
  translated.length = 0;
  const conflicted = translate(store.update(edited), defaultTranslateOptions, cache);
  assert.deepEqual(translated, ['ns/app-5']);
  assert.deepEqual(served(conflicted), served(translate(new Store().update(edited), defaultTranslateOptions)));
  const status = conflicted.statuses.find((s) => s.name === 'app-5');
  assert.equal(status?.conditions.find((c) => c.type === 'NetworkConfigured')?.reason, 'HostConflict');

  translated.length = 0;
  const restored = translate(store.update(state(base)), defaultTranslateOptions, cache);
  assert.deepEqual(translated, [], 'the original objects are still cached');
  assert.equal(restored.snapshot.hash, before.snapshot.hash);
  assert.deepEqual(served(restored), served(before));
});

test('other options re-translate everything', () => {
  const base = apps().slice(0, 50);
  const store = new Store();
  const { cache, translated } = counting();
  translate(store.update(state(base)), defaultTranslateOptions, cache);
  translated.length = 0;
  const options = { ...defaultTranslateOptions, clusterDomain: 'example.internal' };
  const result = translate(store.update(state(base)), options, cache);
  assert.equal(translated.length, 10);
  assert.deepEqual(served(result), served(translate(new Store().update(state(base)), options)));
  assert.equal(result.diffs, undefined, 'other options start over: no diffs');
});
