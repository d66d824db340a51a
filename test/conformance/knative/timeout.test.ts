// Port of knative.dev/networking test/conformance/ingress/timeout.go: TestTimeout.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTimeout } from './backends/timeout.ts';
import { simpleSpec } from './support/build.ts';
import { Client, dumpResponse } from './support/client.ts';
import { Cluster } from './support/cluster.ts';
import { ServiceDomain } from './support/names.ts';

describe('timeout.go', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await Cluster.start();
  });
  after(() => cluster?.close());

  // An Ingress implements "no timeout". The suite's 10 s delays are kept; the cases run in
  // parallel as in Go, so the test takes about 10 s.
  it('TestTimeout', { concurrency: true }, async (t) => {
    const svc = await cluster.createService(t.name, await startTimeout(), 'http');
    const host = `${svc.name}.${ServiceDomain}`;
    const ing = await cluster.createIngressReady(t.name, simpleSpec([host], svc));
    const client = Client.forIngress(cluster, ing, t.name);
    t.after(() => client.close());

    const timeout = 10_000;
    const tests = [
      { name: 'no delays is OK', code: 200, initialDelay: 0, delay: 0 },
      { name: 'large delay before headers is ok', code: 200, initialDelay: timeout, delay: 0 },
      { name: 'large delay after headers is ok', code: 200, initialDelay: 0, delay: timeout },
    ];
    await Promise.all(
      tests.map((tt) =>
        t.test(tt.name, async () => {
          const resp = await client.get(`http://${host}?initialTimeout=${tt.initialDelay}&timeout=${tt.delay}`);
          assert.equal(resp.status, tt.code, `Unexpected status code: ${resp.status}, wanted ${tt.code}\n${dumpResponse(resp)}`);
        }),
      ),
    );
  });
});
