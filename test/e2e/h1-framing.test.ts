// Message framing through `sluice serve`, on the fast path and on node:http (--no-fast-path):
// Connection-nominated framing headers (request smuggling), deep pipelining, Expect: 100-continue.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';
import { rawExchange, type RawUpstream, startRawUpstream, statuses } from './raw-client.ts';

const HOST = 'framing.example.com';

describe('HTTP/1.1 framing (sluice serve)', () => {
  let cfg: ConfigDir;
  let fast: SluiceProcess;
  let slow: SluiceProcess;
  let echo: Upstream;
  let odd: RawUpstream;
  const both = (): Array<[string, SluiceProcess]> => [['fast path', fast], ['node:http', slow]];

  before(async () => {
    echo = await startUpstream('echo');
    // Node's default 5 s keep-alive can close a pooled connection just as a body-carrying request
    // goes out on it (a 503 no retry may fix): not what these tests are about.
    echo.server.keepAliveTimeout = 60_000;
    // An upstream whose responses name their own Content-Length in Connection (bodiless GETs only).
    odd = await startRawUpstream((head) => (head.startsWith('GET ') ? 'HTTP/1.1 200 OK\r\nConnection: content-length\r\nContent-Length: 5\r\n\r\nhello' : ''));
    cfg = await ConfigDir.create();
    await cfg.write('all.yaml', [
      ...backend('echo', [{ ip: '127.0.0.1', port: echo.port }]),
      ...backend('odd', [{ ip: '127.0.0.1', port: odd.port }]),
      ingress('framing', [{ hosts: [HOST], paths: [{ path: '/odd', splits: [{ service: 'odd' }] }, { splits: [{ service: 'echo' }] }] }]),
    ]);
    const args = ['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--max-header-size', '4096', '--log-level', 'debug'];
    [fast, slow] = await Promise.all([startSluice(args), startSluice([...args, '--no-fast-path'])]);
  });

  after(async () => {
    await Promise.all([fast?.stop(), slow?.stop()]);
    await Promise.all([echo?.close(), odd?.close()]);
    await cfg?.cleanup();
  });

  for (const nominated of ['content-length', 'Content-Length, close', 'host', 'transfer-encoding']) {
    it(`keeps the request's framing when Connection names ${nominated}`, async () => {
      for (const [name, proc] of both()) {
        const smuggled = `GET /smuggled-${name.replace(/\W/g, '')} HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`;
        const before = echo.requests.length;
        const req = `POST /upload HTTP/1.1\r\nHost: ${HOST}\r\nConnection: ${nominated}\r\nContent-Length: ${smuggled.length}\r\n\r\n${smuggled}`;
        const { text } = await rawExchange(proc.addresses.http!, [req], { until: (t) => statuses(t).length >= 1 && t.includes('}') });
        assert.deepEqual(statuses(text), [200], `${name}: ${text}`);
        const seen = echo.requests.slice(before);
        assert.deepEqual(seen.map((r) => [r.method, r.url, r.bodyBytes]), [['POST', '/upload', smuggled.length]], `${name}: the body reached the upstream as a body`);
        assert.equal(seen[0]!.headers.host, HOST, `${name}: Host kept`);
      }
    });
  }

  it('keeps a response framed when its Connection names Content-Length', async () => {
    for (const [name, proc] of both()) {
      const req = `GET /odd HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`;
      const { text } = await rawExchange(proc.addresses.http!, [req, req], { gapMs: 100, until: (t) => (t.match(/hello/g) ?? []).length >= 2 });
      const first = text.slice(0, text.indexOf('\r\n\r\n'));
      assert.match(first, /^(content-length: 5|transfer-encoding: chunked)$/im, `${name}: the client can tell where the body ends: ${JSON.stringify(text)}`);
      assert.deepEqual(statuses(text), [200, 200], name);
    }
  });

  it('answers thousands of pipelined requests sent in one write, past the pipelining buffer limit', async () => {
    // 3,000 heads of 60 bytes are ~180 KB: far past --max-header-size (4 KiB here), so the fast
    // path pauses the client while it works through them, and heads straddle its reads.
    const n = 3000;
    const one = (i: number): string => `GET /p${String(i).padStart(5, '0')} HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`;
    const all = Array.from({ length: n }, (_, i) => one(i)).join('') + `GET /last HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`;
    for (const [name, proc] of both()) {
      const { text, closed } = await rawExchange(proc.addresses.http!, [all], { boundMs: 60_000 });
      const got = statuses(text);
      assert.equal(got.length, n + 1, `${name}: ${got.length} answers, last ${JSON.stringify(text.slice(-200))}`);
      assert.ok(got.every((s) => s === 200), name);
      assert.ok(closed, `${name}: closed after Connection: close`);
    }
  });

  it('uploads more than 1 MiB with curl (Expect: 100-continue) on every HTTP/1.1 path', async () => {
    const file = join(cfg.dir, 'upload.bin');
    await writeFile(file, Buffer.alloc(2 * 1024 * 1024 + 7, 0x61));
    for (const [name, proc] of both()) {
      const { stdout, stderr } = await curl(['-sS', '--data-binary', `@${file}`, '-H', `Host: ${HOST}`, '-w', '\n%{http_code}', `http://${proc.addresses.http}/upload`]);
      const [body, code] = stdout.split('\n');
      assert.equal(code, '200', `${name}: ${stdout} ${stderr}`);
      assert.equal((JSON.parse(body!) as { bodyBytes: number }).bodyBytes, 2 * 1024 * 1024 + 7, name);
    }
  });

  it('answers Expect: 100-continue with 100 and forwards the body, and with the final status alone when there is no route', async () => {
    for (const [name, proc] of both()) {
      const head = `POST /upload HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n`;
      const sent = await rawExchange(proc.addresses.http!, [head], { until: (t) => t.includes('\r\n\r\n') });
      assert.deepEqual(statuses(sent.text), [100], `${name}: 100 before the body is sent`);
      const { text } = await rawExchange(proc.addresses.http!, [head, 'data'], { gapMs: 300, until: (t) => t.includes('}') });
      assert.deepEqual(statuses(text), [100, 200], `${name}: ${text} ${proc.lines.filter((l) => l.includes('upstream error')).join('\n')}`);
      assert.match(text, /"bodyBytes":4/, name);
      const lost = await rawExchange(proc.addresses.http!, [head.replace(HOST, 'nobody.example.com')], { until: (t) => t.includes('\r\n\r\n') });
      assert.deepEqual(statuses(lost.text), [404], `${name}: no 100 for a request that gets 404`);
    }
  });
});

function curl(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['--max-time', '20', ...args], { encoding: 'latin1', maxBuffer: 16 * 1024 * 1024 }, (_err, stdout, stderr) => resolve({ stdout, stderr }));
  });
}
