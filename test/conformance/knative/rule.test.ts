// Port of knative.dev/networking test/conformance/ingress/rule.go: TestRule.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { headerGet, startRuntime } from './backends/runtime.ts';
import { split } from './support/build.ts';
import { Client, runtimeRequest } from './support/client.ts';
import { Cluster } from './support/cluster.ts';
import { ServiceDomain } from './support/names.ts';

describe('rule.go', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await Cluster.start();
  });
  after(() => cluster?.close());

  // An Ingress dispatches to backends by rule (host); a pre-split header tells which rule served.
  it('TestRule', async (t) => {
    const headerName = 'Foo-Bar-Baz';
    const foo = await cluster.createService(t.name, await startRuntime(), 'http');
    const bar = await cluster.createService(t.name, await startRuntime(), 'http');
    const ing = await cluster.createIngressReady(t.name, {
      rules: [foo, bar].map((svc) => ({
        hosts: [`${svc.name}.${ServiceDomain}`],
        visibility: 'ExternalIP' as const,
        http: { paths: [{ splits: [split(svc)], appendHeaders: { [headerName]: svc.name } }] },
      })),
    });
    const client = Client.forIngress(cluster, ing, t.name);
    t.after(() => client.close());

    let ri = await runtimeRequest(client, `http://${foo.name}.${ServiceDomain}`);
    assert.equal(headerGet(ri, headerName), foo.name);
    ri = await runtimeRequest(client, `http://${bar.name}.${ServiceDomain}`);
    assert.equal(headerGet(ri, headerName), bar.name);
  });
});
