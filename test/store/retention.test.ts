// Regression: each state, set and translation result says what it was made from (`changes.since`,
// `diffs.since`); those links must not keep every earlier value alive, or a gateway that reloads for
// days grows without bound. Checked with the garbage collector: after a few more edits, the first
// state, set and listener list can be collected.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FileMerge } from '../../src/sources/merge.ts';
import { parseConfigText } from '../../src/sources/yaml-docs.ts';
import { Store } from '../../src/store/store.ts';
import { TranslateCache } from '../../src/translate/cache.ts';
import { defaultTranslateOptions } from '../../src/translate/options.ts';
import { translate } from '../../src/translate/translate.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function app(i: number, host: string): string {
  return JSON.stringify({
    apiVersion: 'networking.internal.knative.dev/v1alpha1',
    kind: 'Ingress',
    metadata: { name: `app-${i}`, namespace: 'ns' },
    spec: { rules: [{ hosts: [host], http: { paths: [{ splits: [{ serviceNamespace: 'ns', serviceName: 's', servicePort: 80 }] }] } }] },
  });
}

test('earlier source states, resource sets and snapshot lists are not kept alive by later ones', async () => {
  const merge = new FileMerge();
  const store = new Store();
  const cache = new TranslateCache();
  const edit = (round: number) => {
    merge.set(`app-${round % 3}.yaml`, parseConfigText(app(round % 3, `h${round}.example.com`), `app-${round % 3}.yaml`));
    const state = merge.state();
    const set = store.update(state);
    const result = translate(set, defaultTranslateOptions, cache);
    return { state, set, list: result.snapshot.listeners.external };
  };
  const refs = ((first) => ({ state: new WeakRef(first.state), set: new WeakRef(first.set), list: new WeakRef(first.list) }))(edit(0));
  let last = edit(1);
  for (let round = 2; round < 6; round++) last = edit(round);
  assert.ok(last.state.changes?.since !== null, 'later states do say what they came from');
  // WeakRef targets stay alive until the current job ends: collect after yielding.
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
  }
  assert.equal(refs.state.deref(), undefined, 'the first source state was collected');
  assert.equal(refs.set.deref(), undefined, 'the first resource set was collected');
  assert.equal(refs.list.deref(), undefined, 'the first listener list was collected');
});
