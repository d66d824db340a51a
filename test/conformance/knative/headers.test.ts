// Port of knative.dev/networking test/conformance/ingress/headers.go: TestProbeHeaders,
// TestTagHeaders (beta), TestPreSplitSetHeaders, TestPostSplitSetHeaders.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { headerGet, startRuntime } from './backends/runtime.ts';
import { simpleSpec, split } from './support/build.ts';
import { Client, dumpResponse, runtimeRequest } from './support/client.ts';
import { Cluster } from './support/cluster.ts';
import { ServiceDomain, objectNameForTest } from './support/names.ts';
import { computeHash, type IngressBackendSplit } from './support/spec.ts';

describe('headers.go', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await Cluster.start();
  });
  after(() => cluster?.close());

  // The KIngress implements the data-plane contract for probe requests.
  it('TestProbeHeaders', { concurrency: true }, async (t) => {
    const svc = await cluster.createService(t.name, await startRuntime(), 'http');
    const host = `${svc.name}.${ServiceDomain}`;
    const ing = await cluster.createIngressReady(t.name, simpleSpec([host], svc));
    const client = Client.forIngress(cluster, ing, t.name);
    t.after(() => client.close());

    const tests = [
      { name: 'kingress generates hash', req: 'override', want: computeHash(ing.spec, ing.namespace, ing.name) },
      // a random hash to override
      { name: 'request overrides hash', req: '2701a1b241db6af811992c57a5e11171847148ac3d2e1a8cc992a62f9e4fa111', want: '2701a1b241db6af811992c57a5e11171847148ac3d2e1a8cc992a62f9e4fa111' },
    ];
    await Promise.all(
      tests.map((tt) =>
        t.test(tt.name, async () => {
          const resp = await client.get(`http://${host}`, { 'K-Network-Probe': 'probe', 'K-Network-Hash': tt.req });
          assert.equal(resp.status, 200, `Unexpected status code: ${resp.status}, wanted 200\n${dumpResponse(resp)}`);
          assert.equal(resp.headers['k-network-hash'], tt.want, `Header["K-Network-Hash"] = ${String(resp.headers['k-network-hash'])}, wanted ${tt.want}`);
        }),
      ),
    );
  });

  // The Ingress dispatches to backends by the tag header (beta).
  it('TestTagHeaders', { concurrency: true }, async (t) => {
    const svc = await cluster.createService(t.name, await startRuntime(), 'http');
    const host = `${svc.name}.${ServiceDomain}`;
    const tagName = 'the-tag';
    const backendHeader = 'Which-Backend';
    const ing = await cluster.createIngressReady(t.name, {
      rules: [
        {
          hosts: [host],
          visibility: 'ExternalIP',
          http: {
            paths: [
              { headers: { 'Knative-Serving-Tag': { exact: tagName } }, appendHeaders: { [backendHeader]: 'tag' }, splits: [split(svc)] },
              { appendHeaders: { [backendHeader]: 'no-tag' }, splits: [split(svc)] },
            ],
          },
        },
      ],
    });
    const client = Client.forIngress(cluster, ing, t.name);
    t.after(() => client.close());

    const tests: Array<{ name: string; tagHeader?: string; wantBackend: string }> = [
      { name: 'matching tag header', tagHeader: tagName, wantBackend: 'tag' },
      { name: 'no tag header', wantBackend: 'no-tag' },
      // Behaviour may change in Phase 2 of the proposal.
      { name: 'empty tag header', tagHeader: '', wantBackend: 'no-tag' },
      { name: 'non-matching tag header', tagHeader: `not-${tagName}`, wantBackend: 'no-tag' },
    ];
    await Promise.all(
      tests.map((tt) =>
        t.test(tt.name, async () => {
          const ri = await runtimeRequest(client, `http://${host}`, tt.tagHeader === undefined ? {} : { 'Knative-Serving-Tag': tt.tagHeader });
          assert.equal(headerGet(ri, backendHeader), tt.wantBackend, `Header[${backendHeader}] = ${headerGet(ri, backendHeader)}, wanted ${tt.wantBackend}`);
        }),
      ),
    );
  });

  // AppendHeaders set pre-split reach the backend, replacing a client's value.
  it('TestPreSplitSetHeaders', { concurrency: true }, async (t) => {
    const svc = await cluster.createService(t.name, await startRuntime(), 'http');
    const host = `${svc.name}.${ServiceDomain}`;
    const headerName = 'Foo-Bar-Baz';
    const ing = await cluster.createIngressReady(t.name, {
      rules: [{ hosts: [host], visibility: 'ExternalIP', http: { paths: [{ appendHeaders: { [headerName]: svc.name }, splits: [split(svc)] }] } }],
    });
    const client = Client.forIngress(cluster, ing, t.name);
    t.after(() => client.close());

    await Promise.all([
      t.test('Check without passing header', async () => {
        const ri = await runtimeRequest(client, `http://${host}`);
        assert.equal(headerGet(ri, headerName), svc.name);
      }),
      t.test('Check with passing header', async () => {
        // A client value checks that implementations set rather than append.
        const ri = await runtimeRequest(client, `http://${host}`, { [headerName]: 'bogus' });
        assert.equal(headerGet(ri, headerName), svc.name);
      }),
    ]);
  });

  // AppendHeaders set post-split reach the backend, one value per split.
  it('TestPostSplitSetHeaders', { concurrency: true }, async (t) => {
    const headerName = 'Foo-Bar-Baz';
    const splits = 4;
    const maxRequests = 100;
    const backends: IngressBackendSplit[] = [];
    const names = new Set<string>();
    for (let i = 0; i < splits; i++) {
      const svc = await cluster.createService(t.name, await startRuntime(), 'http');
      // A different header per split tells which backend was hit.
      backends.push(split(svc, { appendHeaders: { [headerName]: svc.name }, percent: Math.floor(100 / splits) }));
      names.add(svc.name);
    }
    const name = objectNameForTest(t.name);
    const host = `${name}.${ServiceDomain}`;
    const ing = await cluster.createIngressReady(t.name, { rules: [{ hosts: [host], visibility: 'ExternalIP', http: { paths: [{ splits: backends }] } }] });
    const client = Client.forIngress(cluster, ing, t.name);
    t.after(() => client.close());

    // Enough requests that seeing every split is likely; the distribution is not the point here.
    const seeAll = async (headers: Record<string, string>): Promise<void> => {
      const seen = new Set<string>();
      for (let i = 0; i < maxRequests; i++) {
        seen.add(headerGet(await runtimeRequest(client, `http://${host}`, headers), headerName));
        if ([...names].every((n) => seen.has(n)) && seen.size === names.size) return;
      }
      assert.deepEqual([...seen].sort(), [...names].sort(), `(over ${maxRequests} requests) Header[${headerName}]`);
    };
    await Promise.all([
      t.test('Check without passing header', () => seeAll({})),
      // A client value checks that implementations set rather than append.
      t.test('Check with passing header', () => seeAll({ [headerName]: 'bogus' })),
    ]);
  });

  // Not in the Go suite: the probe contract's other half. Knative's probe handler
  // (pkg/http/probe, which every test image runs) answers a probe without K-Network-Hash with 400.
  it('TestProbeHeaders (probe without K-Network-Hash)', async (t) => {
    const svc = await cluster.createService(t.name, await startRuntime(), 'http');
    const host = `${svc.name}.${ServiceDomain}`;
    const ing = await cluster.createIngressReady(t.name, simpleSpec([host], svc));
    const client = Client.forIngress(cluster, ing, t.name);
    t.after(() => client.close());

    const resp = await client.get(`http://${host}`, { 'K-Network-Probe': 'probe' });
    assert.equal(resp.status, 400, `Unexpected status code: ${resp.status}, wanted 400\n${dumpResponse(resp)}`);
  });

  // Not in the Go suite: Knative's API accepts `exact: ""`; Kourier matches it as "header present".
  it('TestTagHeaders (exact "" matches a present header)', async (t) => {
    const svc = await cluster.createService(t.name, await startRuntime(), 'http');
    const host = `${svc.name}.${ServiceDomain}`;
    const backendHeader = 'Which-Backend';
    const ing = await cluster.createIngressReady(t.name, {
      rules: [
        {
          hosts: [host],
          visibility: 'ExternalIP',
          http: {
            paths: [
              { headers: { 'Knative-Serving-Tag': { exact: '' } }, appendHeaders: { [backendHeader]: 'present' }, splits: [split(svc)] },
              { appendHeaders: { [backendHeader]: 'absent' }, splits: [split(svc)] },
            ],
          },
        },
      ],
    });
    const client = Client.forIngress(cluster, ing, t.name);
    t.after(() => client.close());

    assert.equal(headerGet(await runtimeRequest(client, `http://${host}`, { 'Knative-Serving-Tag': 'any-tag' }), backendHeader), 'present');
    assert.equal(headerGet(await runtimeRequest(client, `http://${host}`), backendHeader), 'absent');
  });
});
