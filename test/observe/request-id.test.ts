// Request ids through the real `sluice serve`: an x-request-id is made (UUID v4 shape) when the
// client sent none, passed upstream and returned in the response (forwarded and local answers, on
// the fast path, node:http and HTTP/2); a client's id is kept, unless --no-trust-request-id.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually, get } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type EchoReply, type Upstream, startUpstream } from '../support/upstream.ts';
import { RequestIds } from '../../src/observe/request-id.ts';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function gateway(upstream: Upstream, config: ConfigDir, extra: string[]): Promise<SluiceProcess> {
  await config.write('routes.yaml', [ingress('ok', [{ hosts: ['ok.example.com'], paths: [{ splits: [{ service: 'ok' }] }] }]), ...backend('ok', [{ ip: '127.0.0.1', port: upstream.port }])]);
  const sluice = await startSluice(['serve', '--config', config.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', ...extra]);
  assert.ok(await eventually(async () => (await get(sluice.addresses.http!, 'ok.example.com', '/ready')).status === 200, 10_000));
  return sluice;
}

function h2Get(addr: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; id: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${addr}`);
    session.on('error', reject);
    const req = session.request({ ':method': 'GET', ':path': path, ':authority': 'ok.example.com', ...headers });
    req.setTimeout(5000, () => req.close());
    let status = 0;
    let id: string | undefined;
    let body = '';
    req.setEncoding('utf8');
    req.on('response', (h) => {
      status = Number(h[':status']);
      id = h['x-request-id'] as string | undefined;
    });
    req.on('data', (d: string) => (body += d));
    req.on('close', () => {
      session.close();
      resolve({ status, id, body });
    });
    req.on('error', reject);
  });
}

for (const mode of [[], ['--no-fast-path']]) {
  describe(`request ids (default: trusted)${mode.length ? ' ' + mode.join(' ') : ''}`, () => {
    let upstream: Upstream;
    let config: ConfigDir;
    let sluice: SluiceProcess;
    before(async () => {
      upstream = await startUpstream('ok');
      config = await ConfigDir.create();
      sluice = await gateway(upstream, config, [...mode, '--request-id-in-response']);
    });
    after(async () => {
      await sluice?.stop();
      await upstream?.close();
      await config?.cleanup();
    });

    it('makes a UUID v4 id when the client sent none, sends it upstream and returns it', async () => {
      const r = await get(sluice.addresses.http!, 'ok.example.com', '/made');
      assert.equal(r.status, 200);
      const seen = (JSON.parse(r.body) as EchoReply).headers['x-request-id'];
      assert.match(String(seen), UUID_V4);
      assert.equal(r.headers['x-request-id'], seen);
      const again = await get(sluice.addresses.http!, 'ok.example.com', '/made');
      assert.notEqual(again.headers['x-request-id'], seen, 'a new id per request');
    });

    it("keeps the client's id upstream and in the response", async () => {
      const r = await get(sluice.addresses.http!, 'ok.example.com', '/kept', { 'x-request-id': 'client-abc-123' });
      const echo = JSON.parse(r.body) as EchoReply;
      assert.equal(echo.headers['x-request-id'], 'client-abc-123');
      assert.equal(echo.rawHeaders.filter((h) => h.toLowerCase() === 'x-request-id').length, 1);
      assert.equal(r.headers['x-request-id'], 'client-abc-123');
    });

    it("returns an id on the gateway's own answers (404)", async () => {
      const r = await get(sluice.addresses.http!, 'nowhere.example.com', '/none');
      assert.equal(r.status, 404);
      assert.match(String(r.headers['x-request-id']), UUID_V4);
    });
  });
}

describe('request ids over HTTP/2 and untrusted', () => {
  it("by default sends the id upstream and on the gateway's own answers, not on proxied responses (as Envoy)", async () => {
    const upstream = await startUpstream('ok');
    const config = await ConfigDir.create();
    const sluice = await gateway(upstream, config, []);
    try {
      const r = await get(sluice.addresses.http!, 'ok.example.com', '/quiet');
      assert.match(String((JSON.parse(r.body) as EchoReply).headers['x-request-id']), UUID_V4);
      assert.equal(r.headers['x-request-id'], undefined);
      assert.match(String((await get(sluice.addresses.http!, 'nowhere.example.com', '/')).headers['x-request-id']), UUID_V4);
    } finally {
      await sluice.stop();
      await upstream.close();
      await config.cleanup();
    }
  });

  it('makes, passes and returns an id over HTTP/2', async () => {
    const upstream = await startUpstream('ok');
    const config = await ConfigDir.create();
    const sluice = await gateway(upstream, config, ['--request-id-in-response']);
    try {
      const r = await h2Get(sluice.addresses.http!, '/h2');
      assert.equal(r.status, 200);
      const seen = (JSON.parse(r.body) as EchoReply).headers['x-request-id'];
      assert.match(String(seen), UUID_V4);
      assert.equal(r.id, seen);
    } finally {
      await sluice.stop();
      await upstream.close();
      await config.cleanup();
    }
  });

  it("--no-trust-request-id replaces the client's id with a new one, upstream and in the response", async () => {
    const upstream = await startUpstream('ok');
    const config = await ConfigDir.create();
    const sluice = await gateway(upstream, config, ['--no-trust-request-id', '--request-id-in-response']);
    try {
      const r = await get(sluice.addresses.http!, 'ok.example.com', '/replaced', { 'x-request-id': 'spoofed' });
      const echo = JSON.parse(r.body) as EchoReply;
      assert.match(String(echo.headers['x-request-id']), UUID_V4);
      assert.equal(echo.rawHeaders.filter((h) => h.toLowerCase() === 'x-request-id').length, 1);
      assert.equal(r.headers['x-request-id'], echo.headers['x-request-id']);
    } finally {
      await sluice.stop();
      await upstream.close();
      await config.cleanup();
    }
  });
});

describe('new request ids (in-process)', () => {
  it('are distinct UUID v4s, block after block of random bytes', () => {
    const ids = new RequestIds(true);
    const seen = new Set<string>();
    // Several blocks' worth: the bytes are drawn once per block, never reused.
    for (let i = 0; i < 5000; i++) {
      const id = ids.idFor([]);
      assert.match(id, UUID_V4);
      seen.add(id);
    }
    assert.equal(seen.size, 5000);
    // The version and variant bits are set, every other bit random: each hex digit takes many values.
    const digits = new Set([...seen].map((id) => id[0]));
    assert.equal(digits.size, 16);
  });

  it("keeps a trusted client's id, and replaces an empty or over-long one", () => {
    const ids = new RequestIds(true);
    assert.equal(ids.idFor(['X-Request-Id', 'client-1']), 'client-1');
    assert.match(ids.idFor(['x-request-id', '']), UUID_V4);
    assert.match(ids.idFor(['x-request-id', 'x'.repeat(257)]), UUID_V4);
    assert.equal(ids.idFor(['x-request-id', 'x'.repeat(256)]), 'x'.repeat(256));
    assert.match(new RequestIds(false).idFor(['x-request-id', 'client-1']), UUID_V4);
  });
});
