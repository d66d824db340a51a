// Port of knative.dev/networking test/conformance/ingress/class.go: TestIngressClass.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startRuntime } from './backends/runtime.ts';
import { simpleSpec } from './support/build.ts';
import { Cluster, type Service } from './support/cluster.ts';
import { IngressClassAnnotationKey, ServiceDomain } from './support/names.ts';

// In Kubernetes mode Sluice, like Knative's reconcilers, takes only ingresses whose class
// annotation names it; file mode does the same with --require-ingress-class, which the suite's
// gateways run with (support/cluster.ts). Without it, file mode also serves unannotated ingresses.

describe('class.go', () => {
  let cluster: Cluster;
  let svc: Service;
  before(async () => {
    cluster = await Cluster.start();
  });
  after(() => cluster?.close());

  /**
   * verifyIngressWithAnnotations: an ingress with these annotations is left alone. The suite
   * checks, 2 s later, that the object is unchanged (no status written); here the gateway must not
   * report it in /status once it has read it, which a later ingress of the right class becoming
   * Ready proves.
   */
  async function verifyIngressWithAnnotations(testName: string, annotations: Record<string, string> | null): Promise<void> {
    const original = await cluster.createIngress(testName, simpleSpec([`${svc.name}.${ServiceDomain}`], svc), annotations);
    await cluster.createIngressReady(`${testName}-sentinel`, simpleSpec([`sentinel-${original.name}.${ServiceDomain}`], svc));
    const seen = (await cluster.statuses()).find((s) => s.namespace === original.namespace && s.name === original.name);
    assert.equal(seen, undefined, `Unexpected update: ingress ${original.namespace}/${original.name} was taken up: ${JSON.stringify(seen)}`);
  }

  // The ingress is not picked up when its ingress.class annotation is not the gateway's.
  it('TestIngressClass', { concurrency: true }, async (t) => {
    // A backend service, so the ingresses are valid except for their class.
    svc = await cluster.createService(t.name, await startRuntime(), 'http');
    const tests: Array<{ name: string; annotations: Record<string, string> | null; skip?: string }> = [
      { name: 'nil', annotations: null },
      { name: 'omitted', annotations: {} },
      { name: 'incorrect', annotations: { [IngressClassAnnotationKey]: 'incorrect' } },
      { name: 'empty', annotations: { [IngressClassAnnotationKey]: '' } },
    ];
    await Promise.all(
      tests.map((tt) => t.test(tt.name, tt.skip ? { skip: tt.skip } : {}, () => verifyIngressWithAnnotations(`${t.name}/${tt.name}`, tt.annotations))),
    );
  });
});
