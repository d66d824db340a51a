// A new version of an ingress waiting for endpoints is held back (golden: endpoints-wait-*); here,
// what the Kubernetes status writer makes of it: replicas still serving the previous version pass
// the probe for the hash they answer with, but the ingress must not be written Ready.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { desiredStatus } from '../../src/k8s/status-writer.ts';
import { Store } from '../../src/store/store.ts';
import { TranslateCache } from '../../src/translate/cache.ts';
import { translate } from '../../src/translate/translate.ts';
import type { TranslateResult } from '../../src/snapshot/types.ts';
import { loadScenario } from './scenario.ts';

function lastStep(name: string): TranslateResult {
  const { steps, options } = loadScenario(join(import.meta.dirname, `../fixtures/translate/${name}.in.yaml`));
  const store = new Store();
  const cache = new TranslateCache();
  let result: TranslateResult | undefined;
  for (const step of steps) result = translate(store.update(step), options, cache);
  return result as TranslateResult;
}

test('a held-back version is not written Ready although every replica answers probes for the hash it serves', () => {
  const [report] = lastStep('endpoints-wait-update').statuses;
  const written = desiredStatus(report!, true, undefined, new Date(0), 2);
  const ready = written.conditions?.find((c) => c.type === 'Ready');
  assert.equal(ready?.status, 'Unknown');
  assert.equal(ready?.reason, 'EndpointsNotReady');
  assert.equal(written.observedGeneration, 1, 'the generation served, so Knative sees generation 2 is not observed yet');
  assert.equal(written.publicLoadBalancer, undefined, 'load balancers are published once ready');
});

test('once the endpoints come, the new version is Ready when its probes pass', () => {
  const [report] = lastStep('endpoints-wait-ready').statuses;
  const written = desiredStatus(report!, true, undefined, new Date(0), 2);
  assert.equal(written.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  assert.equal(written.observedGeneration, 2);
});
