// Port of knative.dev/networking test/conformance/ingress/basic.go: TestBasics, TestBasicsHTTP2.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startRuntime } from './backends/runtime.ts';
import { simpleSpec } from './support/build.ts';
import { Client, runtimeRequest } from './support/client.ts';
import { Cluster } from './support/cluster.ts';
import { ServiceDomain } from './support/names.ts';

describe('basic.go', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await Cluster.start();
  });
  after(() => cluster?.close());

  // A no frills Ingress exposes a simple Pod/Service via the public load balancer.
  it('TestBasics', async (t) => {
    const svc = await cluster.createService(t.name, await startRuntime(), 'http');
    const host = `${svc.name}.${ServiceDomain}`;
    const ing = await cluster.createIngressReady(t.name, simpleSpec([host], svc));
    const client = Client.forIngress(cluster, ing, t.name);
    t.after(() => client.close());

    await runtimeRequest(client, `http://${host}`);
  });

  // The same Ingress over a Service with http/2 configured: the backend sees ProtoMajor 2.
  it('TestBasicsHTTP2', async (t) => {
    const svc = await cluster.createService(t.name, await startRuntime(), 'h2c', 'kubernetes.io/h2c');
    const host = `${svc.name}.${ServiceDomain}`;
    const ing = await cluster.createIngressReady(t.name, simpleSpec([host], svc));
    const client = Client.forIngress(cluster, ing, t.name);
    t.after(() => client.close());

    const ri = await runtimeRequest(client, `http://${host}`);
    assert.equal(ri.request.protoMajor, 2, `ProtoMajor = ${ri.request.protoMajor}, wanted 2`);
  });
});
