// Port of knative.dev/networking test/conformance/ingress/visibility.go: TestVisibility,
// TestVisibilitySplit, TestVisibilityPath. The suite's `httpproxy` pod reaches the private load
// balancer from inside the cluster; here the proxy backend dials the gateway's --local listener.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHttpProxy } from './backends/httpproxy.ts';
import { headerGet, startRuntime } from './backends/runtime.ts';
import { split } from './support/build.ts';
import { Client, dialerFor, runtimeRequest, runtimeRequestWithExpectations } from './support/client.ts';
import { Cluster, type Ingress, type Service } from './support/cluster.ts';
import { doublingPercents, runLimited } from './support/load.ts';
import { ClusterSuffix, ServiceDomain, ServingNamespace, objectNameForTest } from './support/names.ts';
import type { IngressBackendSplit } from './support/spec.ts';

describe('visibility.go', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await Cluster.start();
  });
  after(() => cluster?.close());

  /** CreateProxyService: an httpproxy pod forwarding to `target` through the private load balancer. */
  async function createProxyService(testName: string, local: Ingress, target: string): Promise<Service> {
    const gateway = dialerFor(cluster, local.status?.privateLoadBalancer)(80);
    const sep = gateway.lastIndexOf(':');
    return cluster.createService(testName, await startHttpProxy(target, { host: gateway.slice(0, sep), port: Number(gateway.slice(sep + 1)) }), '');
  }

  /** A public ingress in front of the proxy, Ready, and a client for it. */
  async function publicProxy(testName: string, publicHostName: string, proxy: Service): Promise<Client> {
    const ing = await cluster.createIngressReady(testName, {
      rules: [{ hosts: [publicHostName], visibility: 'ExternalIP', http: { paths: [{ splits: [split(proxy)] }] } }],
    });
    return Client.forIngress(cluster, ing, testName);
  }

  it('TestVisibility', { concurrency: true }, async (t) => {
    const svc = await cluster.createService(t.name, await startRuntime(), 'http');
    // A different host name for each case, so they do not conflict when run concurrently.
    const privateHostNames: Record<string, string> = {
      fqdn: `${objectNameForTest(t.name)}.${ServingNamespace}.svc.${ClusterSuffix}`,
      short: `${objectNameForTest(t.name)}.${ServingNamespace}.svc`,
      shortest: `${objectNameForTest(t.name)}.${ServingNamespace}`,
    };
    const ing = await cluster.createIngressReady(t.name, {
      rules: [{ hosts: Object.values(privateHostNames), visibility: 'ClusterLocal', http: { paths: [{ splits: [split(svc)] }] } }],
    });
    const client = Client.forIngress(cluster, ing, t.name);
    t.after(() => client.close());

    // The service is not publicly accessible.
    for (const host of Object.values(privateHostNames)) await runtimeRequestWithExpectations(client, `http://${host}`, [404], { allowDialError: true });

    await Promise.all(
      Object.entries(privateHostNames).map(([name, privateHostName]) =>
        t.test(name, async () => {
          // testProxyToHelloworld
          const sub = `${t.name}/${name}`;
          const proxy = await createProxyService(sub, ing, privateHostName);
          const publicHostName = `${objectNameForTest(sub)}.publicproxy.${ServiceDomain}`;
          const pc = await publicProxy(sub, publicHostName, proxy);
          try {
            // The service is accessible from within the cluster.
            await runtimeRequest(pc, `http://${publicHostName}`);
          } finally {
            pc.close();
          }
        }),
      ),
    );
  });

  it('TestVisibilitySplit', async (t) => {
    // A post-split injected header tells which split served.
    const headerName = 'Foo-Bar-Baz';
    const backends: IngressBackendSplit[] = [];
    const weights = new Map<string, number>();
    for (const percent of doublingPercents(10)) {
      const svc = await cluster.createService(t.name, await startRuntime(), 'http');
      backends.push(split(svc, { appendHeaders: { [headerName]: svc.name }, percent }));
      weights.set(svc.name, percent);
    }
    const name = objectNameForTest(t.name);
    const privateHostName = `${name}.${ServingNamespace}.svc.${ClusterSuffix}`;
    const local = await cluster.createIngressReady(t.name, { rules: [{ hosts: [privateHostName], visibility: 'ClusterLocal', http: { paths: [{ splits: backends }] } }] });
    const client = Client.forIngress(cluster, local, t.name);
    t.after(() => client.close());

    // The private resources cannot be reached.
    await runtimeRequestWithExpectations(client, `http://${privateHostName}`, [404], { allowDialError: true });

    const proxy = await createProxyService(t.name, local, privateHostName);
    const publicHostName = `${name}.${ServiceDomain}`;
    const pc = await publicProxy(t.name, publicHostName, proxy);
    t.after(() => pc.close());

    const totalRequests = 1000;
    const increment = 100 / totalRequests;
    const margin = 10;
    const { results, errors } = await runLimited(totalRequests, 8, async () => headerGet(await runtimeRequest(pc, `http://${publicHostName}`), headerName));
    assert.deepEqual(errors.map((e) => e.message).slice(0, 3), [], 'Error while sending requests');
    const seen = new Map<string, number>();
    for (const r of results) seen.set(r, (seen.get(r) ?? 0) + increment);
    for (const [target, want] of weights) {
      const got = seen.get(target) ?? 0;
      if (want === 0) assert.ok(got === 0, `Target ${target} received traffic, wanted none (0% target).`);
      else assert.ok(Math.abs(got - want) <= margin, `Target ${target} received ${got}%, wanted ${want} +/- ${margin}`);
    }
  });

  it('TestVisibilityPath', { concurrency: true }, async (t) => {
    const headerName = 'Which-Backend';
    const foo = await cluster.createService(t.name, await startRuntime(), 'http');
    const bar = await cluster.createService(t.name, await startRuntime(), 'http');
    const baz = await cluster.createService(t.name, await startRuntime(), 'http');
    const main = await cluster.createService(t.name, await startRuntime(), 'http');
    const name = objectNameForTest(t.name);
    const privateHostName = `${name}.${ServingNamespace}.svc.${ClusterSuffix}`;
    const tagged = (svc: Service): IngressBackendSplit => split(svc, { appendHeaders: { [headerName]: svc.name }, percent: 100 });
    const local = await cluster.createIngressReady(t.name, {
      rules: [
        {
          hosts: [privateHostName],
          visibility: 'ClusterLocal',
          http: {
            paths: [
              { path: '/foo', splits: [tagged(foo)] },
              { path: '/bar', splits: [tagged(bar)] },
              { path: '/baz', splits: [tagged(baz)] },
              { splits: [tagged(main)] },
            ],
          },
        },
      ],
    });
    const client = Client.forIngress(cluster, local, t.name);
    t.after(() => client.close());

    // The private resources cannot be reached.
    for (const path of ['', '/foo', '/bar', '/baz']) await runtimeRequestWithExpectations(client, `http://${privateHostName}${path}`, [404], { allowDialError: true });

    const proxy = await createProxyService(t.name, local, privateHostName);
    const publicHostName = `${name}.${ServiceDomain}`;
    const pc = await publicProxy(t.name, publicHostName, proxy);
    t.after(() => pc.close());

    const tests: Record<string, string> = { '/foo': foo.name, '/bar': bar.name, '/baz': baz.name, '': main.name, '/asdf': main.name };
    await Promise.all(
      Object.entries(tests).map(([path, want]) =>
        t.test(path, async () => {
          const ri = await runtimeRequest(pc, `http://${publicHostName}${path}`);
          assert.equal(headerGet(ri, headerName), want, `Header[${headerName}] = ${headerGet(ri, headerName)}, wanted ${want}`);
        }),
      ),
    );
  });
});
