// Gateway API translation is incremental: an edit of one HTTPRoute among many re-translates that
// route's rules alone (counted with TranslateCache.onTranslate, never timed), and the result equals
// a translation from scratch. A Gateway edit re-translates what depends on it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FileMerge } from '../../src/sources/merge.ts';
import { parseConfigText } from '../../src/sources/yaml-docs.ts';
import { Store } from '../../src/store/store.ts';
import { TranslateCache } from '../../src/translate/cache.ts';
import { defaultTranslateOptions } from '../../src/translate/options.ts';
import { translate } from '../../src/translate/translate.ts';
import { plainCopy, served } from './from-scratch.ts';
import { gatewayYaml, routeYaml, scaleRoute } from '../../bench/httproute-gen.ts';

const options = { ...defaultTranslateOptions, gatewayAddress: '127.0.0.1' };

test('an edit of one HTTPRoute among many re-translates that route alone, and equals a translation from scratch', () => {
  const merge = new FileMerge();
  const store = new Store();
  const cache = new TranslateCache();
  const translated: string[] = [];
  cache.onTranslate = (key) => translated.push(key);
  merge.set('gateway.yaml', parseConfigText(gatewayYaml(), 'gateway.yaml'));
  for (let i = 0; i < 50; i++) merge.set(`r${i}.yaml`, parseConfigText(routeYaml(scaleRoute(i, 9001, 9002)), `r${i}.yaml`));
  const first = translate(store.update(merge.state()), options, cache);
  assert.equal(translated.filter((k) => k.startsWith('HTTPRoute ')).length, 50);

  translated.length = 0;
  merge.set('r7.yaml', parseConfigText(routeYaml({ ...scaleRoute(7, 9001, 9002), host: 'edited.example.com' }), 'r7.yaml'));
  const set = store.update(merge.state());
  const result = translate(set, options, cache);
  assert.deepEqual(translated, ['HTTPRoute bench/route-00007']);
  assert.ok(result.snapshot.ports[0]!.virtualHosts.some((v) => v.domains[0] === 'edited.example.com'));
  assert.deepEqual(served(result), served(translate(plainCopy(set), options, new TranslateCache())));
  // The snapshot is updated, not rebuilt: every other virtual host is the object served before.
  const before = new Set(first.snapshot.ports[0]!.virtualHosts);
  const kept = result.snapshot.ports[0]!.virtualHosts.filter((v) => before.has(v));
  assert.equal(kept.length, result.snapshot.ports[0]!.virtualHosts.length - 1);
  assert.notEqual(result.snapshot.hash, first.snapshot.hash);

  // A Service one route reads: that route alone.
  translated.length = 0;
  merge.set('r9.yaml', parseConfigText(routeYaml({ ...scaleRoute(9, 9001, 9002), portA: 9005 }), 'r9.yaml'));
  const set2 = store.update(merge.state());
  const result2 = translate(set2, options, cache);
  assert.deepEqual(translated, ['HTTPRoute bench/route-00009']);
  assert.deepEqual(served(result2), served(translate(plainCopy(set2), options, new TranslateCache())));
});

test('an edit of one HTTPRoute among many attaches that route alone and builds only the virtual hosts it leaves and joins', () => {
  const merge = new FileMerge();
  const store = new Store();
  const cache = new TranslateCache();
  const composed: string[] = [];
  cache.onCompose = (what) => composed.push(what);
  merge.set('gateway.yaml', parseConfigText(gatewayYaml(), 'gateway.yaml'));
  for (let i = 0; i < 50; i++) merge.set(`r${i}.yaml`, parseConfigText(routeYaml(scaleRoute(i, 9001, 9002)), `r${i}.yaml`));
  const first = translate(store.update(merge.state()), options, cache);
  assert.equal(composed.filter((w) => w.startsWith('attach ')).length, 50);

  composed.length = 0;
  merge.set('r7.yaml', parseConfigText(routeYaml({ ...scaleRoute(7, 9001, 9002), host: 'edited.example.com' }), 'r7.yaml'));
  const set = store.update(merge.state());
  const result = translate(set, options, cache);
  assert.deepEqual(composed.sort(), ['attach HTTPRoute bench/route-00007', 'vhost gateway/127.0.0.1:80/edited.example.com']);
  assert.deepEqual(served(result), served(translate(plainCopy(set), options, new TranslateCache())));
  // Its clusters are unchanged: the same objects, so consumers (the router, xDS) see no cluster change.
  assert.equal(result.snapshot.clusters, first.snapshot.clusters);

  // Its Service changes: the route is attached again, its one virtual host rebuilt.
  composed.length = 0;
  merge.set('r9.yaml', parseConfigText(routeYaml({ ...scaleRoute(9, 9001, 9002), portA: 9005 }), 'r9.yaml'));
  const set2 = store.update(merge.state());
  const result2 = translate(set2, options, cache);
  assert.deepEqual(composed.sort(), ['attach HTTPRoute bench/route-00009', 'vhost gateway/127.0.0.1:80/route-00009.bench.example.com']);
  assert.deepEqual(served(result2), served(translate(plainCopy(set2), options, new TranslateCache())));

  // A route removed: nothing attached, nothing built (its virtual host is dropped).
  composed.length = 0;
  merge.delete('r3.yaml');
  const set3 = store.update(merge.state());
  const result3 = translate(set3, options, cache);
  assert.deepEqual(composed, []);
  assert.deepEqual(served(result3), served(translate(plainCopy(set3), options, new TranslateCache())));
});
