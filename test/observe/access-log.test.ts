// Access logs through the real `sluice serve`: one JSON line per exchange with its fields and
// Envoy-style response flags (a 200, NR, UH, UF, HTTP/2), a template-format line from Envoy's
// default (Kourier's) template, bad formats refused naming the operator, and the buffered file
// flushed on SIGTERM.
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import http2 from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ENVOY_DEFAULT_FORMAT } from '../../src/observe/access-log-format.ts';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually, get } from '../support/http.ts';
import { type SluiceProcess, runSluice, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';
import { refusedPort } from '../support/refused-port.ts';

type Line = Record<string, unknown>;

async function readLines(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l !== '');
}

/** The JSON line whose path is `path`, waited for (bounded: the log flushes every 200 ms). */
async function lineFor(file: string, path: string): Promise<Line> {
  let found: Line | undefined;
  await eventually(async () => {
    found = (await readLines(file)).map((l) => JSON.parse(l) as Line).find((l) => l.path === path);
    return found !== undefined;
  }, 5000);
  assert.ok(found, `no access log line for ${path}`);
  return found;
}

function h2Get(addr: string, authority: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${addr}`);
    session.on('error', reject);
    const req = session.request({ ':method': 'GET', ':path': path, ':authority': authority, 'user-agent': 'h2-test' });
    req.setTimeout(5000, () => req.close());
    let status = 0;
    req.on('response', (h) => (status = Number(h[':status'])));
    req.resume();
    req.on('close', () => {
      session.close();
      resolve(status);
    });
    req.on('error', reject);
  });
}

async function writeConfig(config: ConfigDir, upstream: Upstream, refused: number): Promise<void> {
  await config.write('routes.yaml', [
    ingress('ok', [{ hosts: ['ok.example.com'], paths: [{ splits: [{ service: 'ok' }] }] }]),
    ingress('empty', [{ hosts: ['empty.example.com'], paths: [{ splits: [{ service: 'empty' }] }] }]),
    ingress('refused', [{ hosts: ['refused.example.com'], paths: [{ splits: [{ service: 'refused' }] }] }]),
    ...backend('ok', [{ ip: '127.0.0.1', port: upstream.port }]),
    ...backend('empty', []),
    ...backend('refused', [{ ip: '127.0.0.1', port: refused }]),
  ]);
}

describe('access log (JSON, to a file)', () => {
  let upstream: Upstream;
  let config: ConfigDir;
  let sluice: SluiceProcess;
  let file: string;
  let refused: number;

  before(async () => {
    upstream = await startUpstream('ok');
    config = await ConfigDir.create();
    refused = refusedPort();
    await writeConfig(config, upstream, refused);
    file = join(config.dir, '..', `sluice-access-${process.pid}-${Date.now()}.log`);
    sluice = await startSluice(['serve', '--config', config.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--access-log', file]);
    assert.ok(await eventually(async () => (await get(sluice.addresses.http!, 'ok.example.com', '/ready')).status === 200, 10_000));
  });
  after(async () => {
    await sluice?.stop();
    await upstream?.close();
    await config?.cleanup();
    await rm(file, { force: true });
  });

  it('writes a line for a forwarded 200 with its route, cluster, upstream and no flags', async () => {
    const r = await get(sluice.addresses.http!, 'ok.example.com', '/two-hundred?q=1', { 'user-agent': 'ua-test/1', 'x-request-id': 'client-id-1' });
    assert.equal(r.status, 200);
    const l = await lineFor(file, '/two-hundred?q=1');
    assert.equal(l.status, 200);
    assert.equal(l.method, 'GET');
    assert.equal(l.authority, 'ok.example.com');
    assert.equal(l.protocol, 'HTTP/1.1');
    assert.equal(l.listener, 'http');
    assert.equal(l.user_agent, 'ua-test/1');
    assert.equal(l.request_id, 'client-id-1');
    assert.equal(l.route, 'default/ok');
    assert.match(String(l.cluster), /^default\/ok:/);
    assert.equal(l.upstream, `127.0.0.1:${upstream.port}`);
    assert.equal(l.flags, '-');
    assert.match(String(l.client), /127\.0\.0\.1/);
    assert.equal(typeof l.duration_ms, 'number');
    assert.match(String(l.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(Math.abs(Date.parse(String(l.time)) - Date.now()) < 60_000);
  });

  it('logs the request id it made, the one the upstream got', async () => {
    const r = await get(sluice.addresses.http!, 'ok.example.com', '/made-id');
    const id = (JSON.parse(r.body) as { headers: Record<string, string> }).headers['x-request-id'];
    assert.match(String(id), /^[0-9a-f-]{36}$/);
    assert.equal((await lineFor(file, '/made-id')).request_id, id);
  });

  it('flags an unknown host NR (404)', async () => {
    assert.equal((await get(sluice.addresses.http!, 'nowhere.example.com', '/no-route')).status, 404);
    const l = await lineFor(file, '/no-route');
    assert.equal(l.status, 404);
    assert.equal(l.flags, 'NR');
  });

  it('flags a route without endpoints UH (503)', async () => {
    assert.equal((await get(sluice.addresses.http!, 'empty.example.com', '/no-endpoints')).status, 503);
    const l = await lineFor(file, '/no-endpoints');
    assert.equal(l.status, 503);
    assert.equal(l.flags, 'UH');
    assert.equal(l.route, 'default/empty');
  });

  it('flags a refused upstream connection UF (503) with the upstream it tried', async () => {
    assert.equal((await get(sluice.addresses.http!, 'refused.example.com', '/refused')).status, 503);
    const l = await lineFor(file, '/refused');
    assert.equal(l.status, 503);
    assert.equal(l.flags, 'UF');
    assert.equal(l.upstream, `127.0.0.1:${refused}`);
  });

  it('writes a line for an HTTP/2 request', async () => {
    assert.equal(await h2Get(sluice.addresses.http!, 'ok.example.com', '/over-h2'), 200);
    const l = await lineFor(file, '/over-h2');
    assert.equal(l.protocol, 'HTTP/2');
    assert.equal(l.status, 200);
    assert.equal(l.user_agent, 'h2-test');
    assert.equal(l.flags, '-');
  });
});

describe('access log (template, to stdout)', () => {
  it("writes Envoy's default template (Kourier's) with its operators filled in", async () => {
    const upstream = await startUpstream('ok');
    const config = await ConfigDir.create();
    await writeConfig(config, upstream, refusedPort());
    const sluice = await startSluice(['serve', '--config', config.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--access-log', '-', '--access-log-format', ENVOY_DEFAULT_FORMAT]);
    try {
      assert.ok(await eventually(async () => (await get(sluice.addresses.http!, 'ok.example.com', '/ready')).status === 200, 10_000));
      await get(sluice.addresses.http!, 'ok.example.com', '/templated', { 'user-agent': 'curl/8', 'x-request-id': 'rid-7', 'x-forwarded-for': '10.0.0.9' });
      let line: string | undefined;
      assert.ok(await eventually(() => (line = sluice.lines.find((l) => l.includes('/templated'))) !== undefined, 5000));
      assert.match(line!, new RegExp(`^\\[\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\] "GET /templated HTTP/1.1" 200 - 0 [1-9]\\d* \\d+ - "10.0.0.9" "curl/8" "rid-7" "ok.example.com" "127.0.0.1:${upstream.port}"$`));
    } finally {
      await sluice.stop();
      await upstream.close();
      await config.cleanup();
    }
  });

  it('refuses a template with an unknown operator, naming it', async () => {
    const config = await ConfigDir.create();
    try {
      const r = await runSluice(['serve', '--config', config.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--access-log', '-', '--access-log-format', '%START_TIME% %NOT_AN_OPERATOR%'], { boundMs: 20_000 });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /--access-log-format: unknown command operator "%NOT_AN_OPERATOR%"/);
    } finally {
      await config.cleanup();
    }
  });
});

describe('access log flush on shutdown', () => {
  it('writes buffered lines to the file on SIGTERM', async () => {
    const upstream = await startUpstream('ok');
    const config = await ConfigDir.create();
    await writeConfig(config, upstream, refusedPort());
    const file = join(tmpdir(), `sluice-access-term-${process.pid}-${Date.now()}.log`);
    // No timed flush during the test: only shutdown writes the lines.
    const sluice = await startSluice(['serve', '--config', config.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--access-log', file, '--access-log-flush-interval', '600000']);
    try {
      assert.ok(await eventually(async () => (await get(sluice.addresses.http!, 'ok.example.com', '/ready')).status === 200, 10_000));
      for (let i = 0; i < 3; i++) assert.equal((await get(sluice.addresses.http!, 'ok.example.com', `/before-term-${i}`)).status, 200);
      assert.equal((await readLines(file)).filter((l) => l.includes('/before-term-')).length, 0, 'nothing written before the flush');
      assert.equal(await sluice.stop('SIGTERM'), 0);
      const paths = (await readLines(file)).map((l) => (JSON.parse(l) as Line).path);
      assert.deepEqual(paths.filter((p) => String(p).startsWith('/before-term-')), ['/before-term-0', '/before-term-1', '/before-term-2']);
    } finally {
      await sluice.stop();
      await upstream.close();
      await config.cleanup();
      await rm(file, { force: true });
    }
  });
});
