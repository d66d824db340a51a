// Port of knative.dev/networking test/conformance/ingress/retry.go: TestRetry.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startRetry } from './backends/retry.ts';
import { simpleSpec } from './support/build.ts';
import { Client, dumpResponse } from './support/client.ts';
import { Cluster } from './support/cluster.ts';
import { ServiceDomain } from './support/names.ts';

describe('retry.go', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await Cluster.start();
  });
  after(() => cluster?.close());

  // The ingress does not retry failed requests.
  it('TestRetry', async (t) => {
    // CreateRetryService names its port h2c (without appProtocol).
    const svc = await cluster.createService(t.name, await startRetry(), 'h2c');
    const domain = `${svc.name}.${ServiceDomain}`;
    const ing = await cluster.createIngressReady(t.name, simpleSpec([domain], svc));
    const client = Client.forIngress(cluster, ing, t.name);
    t.after(() => client.close());

    // The first try fails: the service answers 200 only from its second request on, and the
    // ingress must not retry by itself.
    let resp = await client.get(`http://${domain}`);
    assert.equal(resp.status, 503, `Got status ${resp.status}, expected 503\n${dumpResponse(resp)}`);
    // The second try succeeds.
    resp = await client.get(`http://${domain}`);
    assert.equal(resp.status, 200, `Got not OK status, expected success: ${resp.status}\n${dumpResponse(resp)}`);
  });
});
