// Port of knative.dev/networking test/conformance/ingress/update.go: TestUpdate.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { headerGet, startRuntime } from './backends/runtime.ts';
import { split } from './support/build.ts';
import { Client, runtimeRequest } from './support/client.ts';
import { Cluster, type Service } from './support/cluster.ts';
import { ServiceDomain, objectNameForTest } from './support/names.ts';
import type { IngressSpec } from './support/spec.ts';

// Tells which version (of the programming) answered.
const updateHeaderName = 'Who-Are-You';

function timeQuery(): string {
  return `?time=${process.hrtime.bigint()}`;
}

/** checkOK: requests the URL in a loop until stopped; every answer must be a 200 from the runtime image. */
function checkOK(client: Client, url: string): { served: () => number; errors: string[]; stop: () => Promise<void> } {
  let stopped = false;
  let served = 0;
  const errors: string[] = [];
  const loop = (async () => {
    while (!stopped) {
      try {
        await runtimeRequest(client, url + timeQuery());
        served++;
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
  })();
  return { served: () => served, errors, stop: async () => { stopped = true; await loop; } };
}

describe('update.go', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await Cluster.start();
  });
  after(() => cluster?.close());

  // When the network programming changes, traffic isn't dropped.
  it('TestUpdate', async (t) => {
    const first = await cluster.createService(t.name, await startRuntime(), 'http');
    const hostname = objectNameForTest(t.name);
    const host = `${hostname}.${ServiceDomain}`;
    const specFor = (svc: Service, who: string): IngressSpec => ({
      rules: [{ hosts: [host], visibility: 'ExternalIP', http: { paths: [{ splits: [split(svc, { appendHeaders: { [updateHeaderName]: who } })] }] } }],
    });
    const ing = await cluster.createIngressReady(t.name, specFor(first, first.name));
    const client = Client.forIngress(cluster, ing, t.name);
    t.after(() => client.close());

    let previousVersionCancel = first.cancel;
    const prober = checkOK(client, `http://${host}`);
    const problems: string[] = [];
    try {
      // Give the prober a chance to get started: here, until it has had an answer (bounded).
      const until = Date.now() + 10_000;
      while (prober.served() === 0 && prober.errors.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));

      const checkServes = async (sentinel: string): Promise<void> => {
        // It must serve the new programming as soon as it reports Ready, while the prober runs.
        try {
          const got = headerGet(await runtimeRequest(client, `http://${host}${timeQuery()}`), updateHeaderName);
          if (got !== sentinel) problems.push(`Header[${updateHeaderName}] = ${got}, wanted ${sentinel}`);
        } catch (err) {
          problems.push((err as Error).message);
        }
      };

      // First only sentinel changes.
      for (let i = 0; i < 10; i++) {
        const sentinel = objectNameForTest(t.name);
        await cluster.updateIngressReady(ing, specFor(first, sentinel));
        await checkServes(sentinel);
      }

      // Then varying sentinels AND fresh services each time.
      for (let i = 0; i < 10; i++) {
        const sentinel = objectNameForTest(t.name);
        const next = await cluster.createService(t.name, await startRuntime(), 'http');
        await cluster.updateIngressReady(ing, specFor(next, sentinel));
        await checkServes(sentinel);
        // Once rolled out, cancel the previous version; this one is cancelled next.
        await previousVersionCancel();
        previousVersionCancel = next.cancel;
      }
    } finally {
      await prober.stop();
      await previousVersionCancel();
    }
    assert.ok(prober.served() > 0, 'the prober got no answer');
    assert.deepEqual([...problems, ...prober.errors.slice(0, 5)], [], `${problems.length} checks and ${prober.errors.length} of ${prober.served() + prober.errors.length} prober requests failed`);
  });

  // Not in the Go suite: TestUpdate's fresh-service rollout when the gateway gets the new
  // Service's EndpointSlice after the Ingress update, as Kubernetes informers may deliver them
  // (createPodAndService waits for the Endpoints in the API server, not in the gateway). File
  // mode reads files in the order written, so the port above never sees this order by itself.
  it('TestUpdate (EndpointSlice after the Ingress)', async (t) => {
    const first = await cluster.createService(t.name, await startRuntime(), 'http');
    const hostname = objectNameForTest('TestUpdate');
    const host = `${hostname}.${ServiceDomain}`;
    const specFor = (svc: Service, who: string): IngressSpec => ({
      rules: [{ hosts: [host], visibility: 'ExternalIP', http: { paths: [{ splits: [split(svc, { appendHeaders: { [updateHeaderName]: who } })] }] } }],
    });
    const ing = await cluster.createIngressReady('TestUpdate', specFor(first, first.name));
    const client = Client.forIngress(cluster, ing, 'TestUpdate');
    t.after(() => client.close());

    let previousVersionCancel = first.cancel;
    const prober = checkOK(client, `http://${host}`);
    const problems: string[] = [];
    try {
      const until = Date.now() + 10_000;
      while (prober.served() === 0 && prober.errors.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      for (let i = 0; i < 3; i++) {
        const sentinel = objectNameForTest('TestUpdate');
        const next = await cluster.createService('TestUpdate', await startRuntime(), 'http', undefined, { endpointsLater: true });
        await cluster.updateIngress(ing, specFor(next, sentinel));
        // The gateway has read the update once an ingress written after it is Ready.
        const marker = await cluster.createIngressReady('TestUpdate-marker', { rules: [{ hosts: [`marker-${sentinel}.${ServiceDomain}`], visibility: 'ExternalIP', http: { paths: [{ splits: [split(first)] }] } }] });
        await cluster.deleteIngress(marker);
        await next.addEndpoints();
        ing.status = await cluster.waitForIngressReady(ing);
        try {
          const got = headerGet(await runtimeRequest(client, `http://${host}${timeQuery()}`), updateHeaderName);
          if (got !== sentinel) problems.push(`Header[${updateHeaderName}] = ${got}, wanted ${sentinel}`);
        } catch (err) {
          problems.push((err as Error).message);
        }
        if (i > 0) await previousVersionCancel();
        previousVersionCancel = next.cancel;
      }
    } finally {
      await prober.stop();
      await previousVersionCancel();
      await first.cancel();
    }
    assert.deepEqual([...problems, ...prober.errors.slice(0, 3)], [], `${problems.length} checks and ${prober.errors.length} of ${prober.served() + prober.errors.length} prober requests failed`);
  });
});
