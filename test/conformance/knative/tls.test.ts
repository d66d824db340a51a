// Port of knative.dev/networking test/conformance/ingress/tls.go: TestIngressTLS.
import { after, before, describe, it } from 'node:test';
import { startRuntime } from './backends/runtime.ts';
import { simpleSpec } from './support/build.ts';
import { Client, runtimeRequest } from './support/client.ts';
import { Cluster } from './support/cluster.ts';
import { ServiceDomain, ServingNamespace } from './support/names.ts';

describe('tls.go', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await Cluster.start();
  });
  after(() => cluster?.close());

  // The Ingress handles the TLS field: the host is served with and without TLS.
  it('TestIngressTLS', async (t) => {
    const svc = await cluster.createService(t.name, await startRuntime(), 'http');
    const hosts = [`${svc.name}.${ServiceDomain}`];
    const { secretName, ca } = await cluster.createTLSSecret(t.name, hosts);
    const ing = await cluster.createIngressReady(t.name, { ...simpleSpec(hosts, svc), tls: [{ hosts, secretName, secretNamespace: ServingNamespace }] });
    const client = Client.forIngress(cluster, ing, t.name, ca);
    t.after(() => client.close());

    // Without TLS.
    await runtimeRequest(client, `http://${hosts[0]}`);
    // With TLS.
    await runtimeRequest(client, `https://${hosts[0]}`);
  });
});
