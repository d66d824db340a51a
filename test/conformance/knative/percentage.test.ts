// Port of knative.dev/networking test/conformance/ingress/percentage.go: TestPercentage.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { headerGet, startRuntime } from './backends/runtime.ts';
import { split } from './support/build.ts';
import { Client, runtimeRequest } from './support/client.ts';
import { Cluster } from './support/cluster.ts';
import { doublingPercents, runLimited } from './support/load.ts';
import { ServiceDomain, objectNameForTest } from './support/names.ts';
import type { IngressBackendSplit } from './support/spec.ts';

describe('percentage.go', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await Cluster.start();
  });
  after(() => cluster?.close());

  // An Ingress splitting over ten backends (1, 2, 4, ... 32, 29, 0, 0, 0 percent) respects the
  // split within 10 points over 1,000 requests; 0% targets get nothing.
  it('TestPercentage', async (t) => {
    const headerName = 'Foo-Bar-Baz';
    const backends: IngressBackendSplit[] = [];
    const weights = new Map<string, number>();
    for (const percent of doublingPercents(10)) {
      const svc = await cluster.createService(t.name, await startRuntime(), 'http');
      backends.push(split(svc, { appendHeaders: { [headerName]: svc.name }, percent }));
      weights.set(svc.name, percent);
    }
    const name = objectNameForTest(t.name);
    const host = `${name}.${ServiceDomain}`;
    const ing = await cluster.createIngressReady(t.name, { rules: [{ hosts: [host], visibility: 'ExternalIP', http: { paths: [{ splits: backends }] } }] });
    const client = Client.forIngress(cluster, ing, t.name);
    t.after(() => client.close());

    const totalRequests = 1000;
    const increment = 100 / totalRequests;
    const margin = 10;
    const { results, errors } = await runLimited(totalRequests, 8, async () => headerGet(await runtimeRequest(client, `http://${host}`), headerName));
    assert.deepEqual(errors.map((e) => e.message).slice(0, 3), [], 'Error while sending requests');
    const seen = new Map<string, number>();
    for (const r of results) seen.set(r, (seen.get(r) ?? 0) + increment);
    for (const [target, want] of weights) {
      const got = seen.get(target) ?? 0;
      if (want === 0) assert.ok(got === 0, `Target ${target} received traffic, wanted none (0% target).`);
      else assert.ok(Math.abs(got - want) <= margin, `Target ${target} received ${got}%, wanted ${want} +/- ${margin}`);
    }
  });
});
