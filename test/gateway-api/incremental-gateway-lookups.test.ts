// A Gateway edit attaches again every route naming the Gateway, from the rules each route keeps;
// whether those rules still hold was checked by looking up every Service and EndpointSlice they
// read (10-15% of a Gateway edit's CPU at 10,000 HTTPRoutes, bench/scale-gateway-profile.ts). When
// the set's Services and EndpointSlices are the very maps the rules were last checked in, nothing
// they read can have changed: no lookup is made. Counted, never timed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FileMerge } from '../../src/sources/merge.ts';
import { parseConfigText } from '../../src/sources/yaml-docs.ts';
import { Store } from '../../src/store/store.ts';
import type { ResourceSet } from '../../src/store/types.ts';
import { TranslateCache } from '../../src/translate/cache.ts';
import { defaultTranslateOptions } from '../../src/translate/options.ts';
import { translate } from '../../src/translate/translate.ts';
import { gatewayYaml, routeYaml, scaleRoute } from '../../bench/httproute-gen.ts';
import { plainCopy, served } from './from-scratch.ts';

const options = { ...defaultTranslateOptions, gatewayAddress: '127.0.0.1' };
const ROUTES = 40;

/** The set with its lookup maps counting their gets (the same counting map for the same map, so identities hold). */
function countingLookups() {
  const wrapped = new WeakMap<object, ReadonlyMap<string, unknown>>();
  const gets = { n: 0 };
  const wrap = <M extends ReadonlyMap<string, unknown>>(map: M): M => {
    let w = wrapped.get(map);
    if (w === undefined) {
      w = new Proxy(map, {
        get(target, key) {
          if (key === 'get')
            return (k: string) => {
              gets.n++;
              return target.get(k);
            };
          const v = Reflect.get(target, key, target) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
      wrapped.set(map, w);
    }
    return w as M;
  };
  const of = (set: ResourceSet): ResourceSet => ({ ...set, services: wrap(set.services), endpointSlicesByService: wrap(set.endpointSlicesByService), endpoints: wrap(set.endpoints) });
  return { of, gets };
}

test("a Gateway edit attaching every route again looks up none of the Services and EndpointSlices their kept rules read", () => {
  const merge = new FileMerge();
  const store = new Store();
  const cache = new TranslateCache();
  const counting = countingLookups();
  let attached = 0;
  cache.onCompose = (what) => void (what.startsWith('attach ') && attached++);
  const file = (path: string, text: string): void => merge.set(path, parseConfigText(text, path));
  const run = (): number => {
    attached = 0;
    const set = store.update(merge.state());
    counting.gets.n = 0;
    const result = translate(counting.of(set), options, cache);
    const gets = counting.gets.n;
    assert.deepEqual(served(result), served(translate(plainCopy(set), options, new TranslateCache())), 'incremental translation = translation from scratch');
    return gets;
  };
  file('gateway.yaml', gatewayYaml());
  for (let i = 0; i < ROUTES; i++) file(`r${i}.yaml`, routeYaml(scaleRoute(i, 9001, 9002)));
  run();
  file('gateway.yaml', gatewayYaml({ extraListener: true }));
  const gets = run();
  assert.equal(attached, ROUTES, 'every route naming the Gateway attached again');
  assert.ok(gets < ROUTES, `${gets} lookups for ${ROUTES} routes`);
});
