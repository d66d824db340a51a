// Port of knative.dev/networking test/conformance/ingress/rewrite.go: TestRewriteHost (beta).
import { after, before, describe, it } from 'node:test';
import { startRuntime } from './backends/runtime.ts';
import { simpleSpec } from './support/build.ts';
import { Client, runtimeRequest } from './support/client.ts';
import { Cluster } from './support/cluster.ts';
import { ClusterSuffix, ServingNamespace, objectNameForTest } from './support/names.ts';

describe('rewrite.go', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await Cluster.start();
  });
  after(() => cluster?.close());

  // A RewriteHost rule implements vanity URLs: public hosts rewritten to a cluster-local one,
  // reached through an ExternalName Service pointing at the private load balancer.
  it('TestRewriteHost', async (t) => {
    const svc = await cluster.createService(t.name, await startRuntime(), 'http');
    const privateServiceName = objectNameForTest(t.name);
    const privateHostName = `${privateServiceName}.${ServingNamespace}.svc.${ClusterSuffix}`;
    const local = await cluster.createIngressReady(t.name, simpleSpec([privateHostName], svc, 'ClusterLocal'));

    // An ExternalName Service in front of the private load balancer. The suite's points at its
    // domainInternal on port 80; in file mode that load balancer is the --local listener, so the
    // Service names localhost and that listener's port (and the ingress below uses that port).
    const lb = local.status?.privateLoadBalancer?.ingress?.[0]?.domainInternal;
    if (!lb) throw new Error('Ingress does not have a private load balancer assigned.');
    const localPort = Number(cluster.address('local').split(':').pop());
    await cluster.createExternalNameService(privateServiceName, ServingNamespace, 'localhost', localPort);

    // Prefixed with the Service name, as the suite does to avoid conflicts between runs.
    const hosts = ['vanity.ismy.name', 'vanity.isalsomy.number'].map((h) => `${svc.name}.${h}`);
    const ing = await cluster.createIngressReady(t.name, {
      rules: [
        {
          hosts,
          visibility: 'ExternalIP',
          http: { paths: [{ rewriteHost: privateHostName, splits: [{ serviceName: privateServiceName, serviceNamespace: ServingNamespace, servicePort: localPort }] }] },
        },
      ],
    });
    const client = Client.forIngress(cluster, ing, t.name);
    t.after(() => client.close());

    for (const host of hosts) await runtimeRequest(client, `http://${host}`);
  });
});
