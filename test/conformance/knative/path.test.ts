// Port of knative.dev/networking test/conformance/ingress/path.go: TestPath,
// TestPathAndPercentageSplit.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RuntimeInfo, headerGet, startRuntime } from './backends/runtime.ts';
import { split } from './support/build.ts';
import { Client, dumpResponse, runtimeRequest } from './support/client.ts';
import { Cluster } from './support/cluster.ts';
import { runLimited } from './support/load.ts';
import { ServiceDomain } from './support/names.ts';

// A post-split injected header tells which split served.
const headerName = 'Which-Backend';

describe('path.go', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await Cluster.start();
  });
  after(() => cluster?.close());

  // An Ingress dispatches to backends by the URL's path.
  it('TestPath', { concurrency: true }, async (t) => {
    const foo = await cluster.createService(t.name, await startRuntime(), 'http');
    const bar = await cluster.createService(t.name, await startRuntime(), 'http');
    const baz = await cluster.createService(t.name, await startRuntime(), 'http');
    const main = await cluster.createService(t.name, await startRuntime(), 'http');
    const host = `${main.name}.${ServiceDomain}`;
    const ing = await cluster.createIngressReady(t.name, {
      rules: [
        {
          hosts: [host],
          visibility: 'ExternalIP',
          http: {
            paths: [
              { path: '/foo', splits: [split(foo, { appendHeaders: { [headerName]: foo.name }, percent: 100 })] },
              { path: '/bar', splits: [split(bar, { appendHeaders: { [headerName]: bar.name }, percent: 100 })] },
              { path: '/baz', splits: [split(baz, { appendHeaders: { [headerName]: baz.name }, percent: 100 })] },
              { splits: [split(main, { appendHeaders: { [headerName]: main.name }, percent: 100 })] },
            ],
          },
        },
      ],
    });
    const client = Client.forIngress(cluster, ing, t.name);
    t.after(() => client.close());

    const tests: Record<string, string> = { '/foo': foo.name, '/bar': bar.name, '/baz': baz.name, '': main.name, '/asdf': main.name };
    await Promise.all(
      Object.entries(tests).map(([path, want]) =>
        t.test(path, async () => {
          const ri = await runtimeRequest(client, `http://${host}${path}`);
          assert.equal(headerGet(ri, headerName), want, `Header[${headerName}] = ${headerGet(ri, headerName)}, wanted ${want}`);
        }),
      ),
    );
  });

  // A path's 50/50 split is respected within 15%.
  it('TestPathAndPercentageSplit', async (t) => {
    const foo = await cluster.createService(t.name, await startRuntime(), 'http');
    const bar = await cluster.createService(t.name, await startRuntime(), 'http');
    const main = await cluster.createService(t.name, await startRuntime(), 'http');
    const host = `${main.name}.${ServiceDomain}`;
    const ing = await cluster.createIngressReady(t.name, {
      rules: [
        {
          hosts: [host],
          visibility: 'ExternalIP',
          http: {
            paths: [
              {
                path: '/foo',
                splits: [split(foo, { appendHeaders: { [headerName]: foo.name }, percent: 50 }), split(bar, { appendHeaders: { [headerName]: bar.name }, percent: 50 })],
              },
              { splits: [split(main, { appendHeaders: { [headerName]: main.name }, percent: 100 })] },
            ],
          },
        },
      ],
    });
    const client = Client.forIngress(cluster, ing, t.name);
    t.after(() => client.close());

    const total = 1000;
    const totalHalf = total / 2;
    const tolerance = total * 0.15;
    const wantKeys = new Set([foo.name, bar.name]);
    const { results, errors } = await runLimited(total, 8, async () => headerGet(await runtimeRequest(client, `http://${host}/foo`), headerName));
    assert.deepEqual(errors.map((e) => e.message).slice(0, 3), [], 'Error while sending requests');
    const got = new Map<string, number>();
    for (const r of results) got.set(r, (got.get(r) ?? 0) + 1);
    for (const [k, v] of got) {
      assert.ok(wantKeys.has(k), `${k} is not in the expected header set ${[...wantKeys].join(', ')}`);
      assert.ok(Math.abs(v - totalHalf) <= tolerance, `Header ${k} got: ${v} times, want in [${totalHalf - tolerance}, ${totalHalf + tolerance}] range`);
    }
  });

  // Not in the Go suite: a path is matched after removing dot-segments (RFC 3986 5.2.4, `%2e`
  // too), as Envoy-based ingresses normalise it, so `/foo/../asdf` is not served by /foo's backend.
  it('TestPath (dot-segments)', async (t) => {
    const foo = await cluster.createService(t.name, await startRuntime(), 'http');
    const bar = await cluster.createService(t.name, await startRuntime(), 'http');
    const main = await cluster.createService(t.name, await startRuntime(), 'http');
    const host = `${main.name}.${ServiceDomain}`;
    const ing = await cluster.createIngressReady(t.name, {
      rules: [
        {
          hosts: [host],
          visibility: 'ExternalIP',
          http: {
            paths: [
              { path: '/foo', splits: [split(foo, { appendHeaders: { [headerName]: foo.name }, percent: 100 })] },
              { path: '/bar', splits: [split(bar, { appendHeaders: { [headerName]: bar.name }, percent: 100 })] },
              { splits: [split(main, { appendHeaders: { [headerName]: main.name }, percent: 100 })] },
            ],
          },
        },
      ],
    });
    const client = Client.forIngress(cluster, ing, t.name);
    t.after(() => client.close());

    const tests: Record<string, string> = { '/foo/../asdf': main.name, '/foo/%2e%2e/bar': bar.name, '/asdf/../foo': foo.name };
    for (const [path, want] of Object.entries(tests)) {
      // Not following redirects: the runtime image's ServeMux would redirect an unclean path itself.
      const r = await client.get(`http://${host}`, {}, { rawPath: path, followRedirects: false });
      assert.equal(r.status, 200, `GET ${path}: status ${r.status}\n${dumpResponse(r)}`);
      const got = headerGet(JSON.parse(r.body) as RuntimeInfo, headerName);
      assert.equal(got, want, `GET ${path}: Header[${headerName}] = ${got}, wanted ${want}`);
    }
  });
});
