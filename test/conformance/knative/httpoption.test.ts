// Port of knative.dev/networking test/conformance/ingress/httpoption.go: TestHTTPOption (alpha).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startRuntime } from './backends/runtime.ts';
import { simpleSpec } from './support/build.ts';
import { Client, dumpResponse, runtimeRequest } from './support/client.ts';
import { Cluster } from './support/cluster.ts';
import { ServiceDomain, ServingNamespace } from './support/names.ts';
import type { HTTPOption } from './support/spec.ts';

describe('httpoption.go', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await Cluster.start();
  });
  after(() => cluster?.close());

  // The Ingress handles httpOption: Enabled serves plain HTTP, Redirected answers it with 301;
  // both ingresses exist at once, so one's option must not affect the other.
  it('TestHTTPOption', async (t) => {
    const tests: Array<{ httpOption: HTTPOption; code: number }> = [
      { httpOption: 'Enabled', code: 200 },
      { httpOption: 'Redirected', code: 301 },
    ];
    const hostCode: Array<{ host: string; code: number; client: Client }> = [];
    for (const tt of tests) {
      // create()
      const svc = await cluster.createService(t.name, await startRuntime(), 'http');
      const hosts = [`${svc.name}.${ServiceDomain}`];
      const { secretName, ca } = await cluster.createTLSSecret(t.name, hosts);
      const ing = await cluster.createIngressReady(t.name, { ...simpleSpec(hosts, svc), httpOption: tt.httpOption, tls: [{ hosts, secretName, secretNamespace: ServingNamespace }] });
      const client = Client.forIngress(cluster, ing, t.name, ca);
      t.after(() => client.close());
      hostCode.push({ host: hosts[0]!, code: tt.code, client });
    }

    for (const { host, code, client } of hostCode) {
      // checkHTTPOption: with TLS...
      await runtimeRequest(client, `https://${host}`);
      // ...and without, not following a redirect.
      const resp = await client.get(`http://${host}`, {}, { followRedirects: false });
      assert.equal(resp.status, code, `Unexpected status code: ${resp.status}, wanted ${code}\n${dumpResponse(resp)}`);
    }
  });
});
