// curl against the core: h2c with prior knowledge, and h2 over TLS chosen by ALPN.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeCert } from '../../proxy/certs.ts';
import { helloHandler } from './hello-handler.ts';
import { type CoreServer, startCore } from './support.ts';

function curl(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-sS', '--max-time', '10', ...args], { timeout: 15_000, maxBuffer: 8 * 1024 * 1024 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}: ${stderr}`)) : resolve(stdout)));
  });
}

describe('HTTP/2 core with curl', () => {
  let dir: string;
  let h2c: CoreServer;
  let h2: CoreServer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-h2core-curl-'));
    h2c = await startCore(helloHandler);
    h2 = await startCore(helloHandler, {}, makeCert(dir, 'localhost', ['localhost']));
  });

  after(async () => {
    await h2c?.close();
    await h2?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('answers curl --http2-prior-knowledge over h2c', async () => {
    const out = await curl(['--http2-prior-knowledge', '-w', ' %{http_version} %{response_code}', `http://127.0.0.1:${h2c.port}/`]);
    assert.equal(out, 'hello 2 200');
  });

  it('echoes a POST body from curl over h2c', async () => {
    const file = join(dir, 'body.bin');
    const body = Buffer.alloc(200_000);
    for (let i = 0; i < body.length; i++) body[i] = i & 0xff;
    await writeFile(file, body);
    const out = await curl(['--http2-prior-knowledge', '--data-binary', `@${file}`, '-o', join(dir, 'echo.bin'), '-w', '%{size_download}', `http://127.0.0.1:${h2c.port}/echo`]);
    assert.equal(out, String(body.length));
  });

  it('answers curl --http2 over TLS (ALPN h2)', async () => {
    const out = await curl(['--http2', '-k', '--resolve', `localhost:${h2.port}:127.0.0.1`, '-w', ' %{http_version} %{response_code}', `https://localhost:${h2.port}/`]);
    assert.equal(out, 'hello 2 200');
  });
});
