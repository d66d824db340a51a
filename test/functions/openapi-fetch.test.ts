// Finding an upstream's OpenAPI document at the usual paths, a given URL, or inline; real servers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { fetchOpenApi } from '../../src/functions/openapi/fetch.ts';

const swagger = readFileSync(new URL('../fixtures/petstore/swagger.json', import.meta.url), 'utf8');
const openapiYaml = readFileSync(new URL('../fixtures/petstore/openapi.yaml', import.meta.url), 'utf8');

/** A server answering `routes[path]` (200) and 404 elsewhere; records the paths asked for. */
async function withServer(routes: Record<string, string>, fn: (port: number, asked: string[]) => Promise<void>, handler?: http.RequestListener): Promise<void> {
  const asked: string[] = [];
  const server = http.createServer(
    handler ??
      ((req, res) => {
        asked.push(req.url!);
        const body = routes[req.url!];
        if (body === undefined) res.writeHead(404).end('not here');
        else res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    await fn((server.address() as AddressInfo).port, asked);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

describe('fetchOpenApi', () => {
  it('tries the usual paths in order, Gloo first, and discovers from the first document', async () => {
    await withServer({ '/swagger.json': swagger }, async (port, asked) => {
      const r = await fetchOpenApi('127.0.0.1', port);
      assert.ok(r.ok, r.ok ? '' : r.error);
      assert.equal(r.source, `http://127.0.0.1:${port}/swagger.json`);
      assert.equal(r.functions.length, 20);
      assert.deepEqual(asked, ['/openapi.json', '/swagger.json']);
    });
  });

  it('reads YAML, and skips a 200 that is not an OpenAPI document', async () => {
    await withServer({ '/openapi.json': '<html>docs</html>', '/v2/swagger': openapiYaml }, async (port, asked) => {
      const r = await fetchOpenApi('127.0.0.1', port);
      assert.ok(r.ok, r.ok ? '' : r.error);
      assert.equal(r.functions.length, 19);
      assert.deepEqual(asked, ['/openapi.json', '/swagger.json', '/swagger/docs/v1', '/swagger/docs/v2', '/v1/swagger', '/v2/swagger']);
    });
  });

  it('tries the given paths first; a given URL is the only one tried', async () => {
    await withServer({ '/docs/api.yaml': openapiYaml, '/swagger.json': swagger }, async (port, asked) => {
      const first = await fetchOpenApi('127.0.0.1', port, { paths: ['/docs/api.yaml'] });
      assert.ok(first.ok && first.functions.length === 19);
      const only = await fetchOpenApi('127.0.0.1', port, { url: '/nope.json' });
      assert.equal(only.ok, false);
      const absolute = await fetchOpenApi('203.0.113.1', 1, { url: `http://127.0.0.1:${port}/swagger.json` });
      assert.ok(absolute.ok && absolute.functions.length === 20);
      assert.deepEqual(asked, ['/docs/api.yaml', '/nope.json', '/swagger.json']);
    });
  });

  it('an inline document needs no network', async () => {
    const r = await fetchOpenApi('203.0.113.1', 1, { inline: swagger, timeoutMs: 1 });
    assert.ok(r.ok && r.source === 'inline' && r.functions.length === 20);
    const bad = await fetchOpenApi('203.0.113.1', 1, { inline: '{"x": 1}' });
    assert.equal(bad.ok, false);
    assert.match(bad.ok ? '' : bad.error, /^inline document: not a Swagger 2\.0 or OpenAPI 3 document/);
  });

  it('nothing found is an error value listing what each path answered', async () => {
    await withServer({}, async (port) => {
      const r = await fetchOpenApi('127.0.0.1', port);
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.error, new RegExp(`^no OpenAPI document found at http://127\\.0\\.0\\.1:${port}: /openapi\\.json: HTTP 404; /swagger\\.json: HTTP 404;.*/v3/api-docs: HTTP 404$`));
    });
  });

  it('a refused connection stops the search at once', async () => {
    const s = http.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    const r = await fetchOpenApi('127.0.0.1', port);
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.error, /\/openapi\.json: connect ECONNREFUSED[^;]*$/);
  });

  it('a server that never answers is given up on within the bound', async () => {
    const held: http.ServerResponse[] = [];
    await withServer(
      {},
      async (port) => {
        const t0 = Date.now();
        const r = await fetchOpenApi('127.0.0.1', port, { timeoutMs: 300 });
        assert.equal(r.ok, false);
        assert.match(r.ok ? '' : r.error, /gave up after 300 ms/);
        assert.ok(Date.now() - t0 < 3000);
      },
      (_req, res) => held.push(res),
    );
  });

  it('a document over the size bound is refused and the search goes on', async () => {
    await withServer({ '/openapi.json': `{"swagger": "2.0", "x": "${'a'.repeat(200_000)}", "paths": {}}`, '/swagger.json': swagger }, async (port) => {
      const r = await fetchOpenApi('127.0.0.1', port, { maxBytes: 100_000 });
      assert.ok(r.ok, r.ok ? '' : r.error);
      assert.ok(r.source.endsWith('/swagger.json'));
      const none = await fetchOpenApi('127.0.0.1', port, { maxBytes: 100_000, url: '/openapi.json' });
      assert.match(none.ok ? '' : none.error, /document larger than 100000 bytes/);
    });
  });

  it('the caller can cancel', async () => {
    const ac = new AbortController();
    ac.abort();
    await withServer({ '/openapi.json': swagger }, async (port) => {
      const r = await fetchOpenApi('127.0.0.1', port, { signal: ac.signal });
      assert.equal(r.ok, false);
    });
  });
});
