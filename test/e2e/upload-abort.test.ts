// A client that half-closes (FIN) in the middle of its upload can never finish the body: Sluice
// aborts both sides at once, even with no body timeout (--client-body-timeout 0).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeCert, tlsSecret } from '../proxy/certs.ts';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';
import { rawExchange } from './raw-client.ts';

const HOST = 'upload.example.com';

describe('client FIN during an upload (sluice serve --client-body-timeout 0)', () => {
  let cfg: ConfigDir;
  let certDir: string;
  let fast: SluiceProcess;
  let slow: SluiceProcess;
  let up: Upstream;
  let started = 0;
  let aborted = 0;

  before(async () => {
    // Reads the body and answers only at its end; counts the requests cut short.
    up = await startUpstream('sink', (req, res) => {
      started++;
      req.resume();
      // /early answers before the body is complete, as a streaming exchange does.
      if (req.url === '/early') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('early;');
      }
      req.on('end', () => res.end('done'));
      req.on('close', () => {
        if (!req.complete) aborted++;
      });
    });
    certDir = await mkdtemp(join(tmpdir(), 'sluice-upload-'));
    cfg = await ConfigDir.create();
    await cfg.write('all.yaml', [
      ...backend('sink', [{ ip: '127.0.0.1', port: up.port }]),
      tlsSecret('upload-tls', makeCert(certDir, 'upload', [HOST])),
      ingress('upload', [{ hosts: [HOST], paths: [{ splits: [{ service: 'sink' }] }] }], { tls: [{ hosts: [HOST], secretName: 'upload-tls', secretNamespace: 'default' }] }),
    ]);
    const args = ['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--client-body-timeout', '0'];
    [fast, slow] = await Promise.all([startSluice(args, ['http', 'https']), startSluice([...args, '--no-fast-path'])]);
  });

  after(async () => {
    await Promise.all([fast?.stop(), slow?.stop()]);
    await up?.close();
    await cfg?.cleanup();
    if (certDir) await rm(certDir, { recursive: true, force: true });
  });

  const uploads: Array<[string, string]> = [
    ['Content-Length', `POST /up HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: 1000000\r\n\r\n${'a'.repeat(1000)}`],
    ['chunked', `POST /up HTTP/1.1\r\nHost: ${HOST}\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n${'a'.repeat(1000)}\r\n`],
  ];

  uploads.push(['Content-Length, response started', uploads[0]![1].replace('/up ', '/early ')]);

  for (const [framing, bytes] of uploads) {
    it(`closes the client connection and the upstream request at once (${framing} body)`, async () => {
      const ways: Array<[string, string, string | undefined]> = [['fast path', fast.addresses.http!, undefined], ['node:http', slow.addresses.http!, undefined], ['https', fast.addresses.https!, HOST]];
      for (const [name, addr, tls] of ways) {
        const [s0, a0] = [started, aborted];
        // The gap lets the request reach the upstream before the FIN.
        const { text, closed, ms } = await rawExchange(addr, [bytes], { gapMs: 300, boundMs: 4000, end: true, tlsServername: tls });
        const heads = text.match(/^HTTP\/1\.1 \d{3}/gm) ?? [];
        assert.ok(heads.length <= 1, `${name}: one response at most, nothing written into a response already started: ${JSON.stringify(text)}`);
        assert.equal(started, s0 + 1, `${name}: the upstream got the request`);
        assert.ok(closed, `${name}: Sluice closed the client connection (waited ${ms} ms)`);
        assert.ok(await eventually(() => aborted >= a0 + 1, 3000), `${name}: the upstream request was aborted`);
      }
    });
  }
});
