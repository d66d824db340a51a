// Port of knative.dev/networking test/conformance/ingress/hosts.go: TestMultipleHosts.
import { after, before, describe, it } from 'node:test';
import { startRuntime } from './backends/runtime.ts';
import { simpleSpec } from './support/build.ts';
import { Client, runtimeRequest } from './support/client.ts';
import { Cluster } from './support/cluster.ts';

describe('hosts.go', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await Cluster.start();
  });
  after(() => cluster?.close());

  // An Ingress responds to multiple hosts.
  it('TestMultipleHosts', async (t) => {
    const svc = await cluster.createService(t.name, await startRuntime(), 'http');
    // Prefixed with the Service name, as the suite does to avoid conflicts between runs.
    const hosts = ['foo.com', 'www.foo.com', 'a-b-1.something-really-really-long.knative.dev', 'add.your.interesting.domain.here.io'].map((h) => `${svc.name}.${h}`);
    const ing = await cluster.createIngressReady(t.name, simpleSpec(hosts, svc));
    const client = Client.forIngress(cluster, ing, t.name);
    t.after(() => client.close());

    for (const host of hosts) await runtimeRequest(client, `http://${host}`);
  });
});
