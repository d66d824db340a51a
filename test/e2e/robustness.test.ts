// Limits every listener has: header size, malformed requests, slow and idle clients, graceful stop.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { type Upstream, startSlowUpstream, startUpstream } from '../support/upstream.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { get } from '../support/http.ts';

/** Sends raw bytes on a new connection and collects everything until the server closes (bounded). */
function rawExchange(addr: string, data: string, boundMs = 5000): Promise<{ text: string; closed: boolean }> {
  const [host, port] = addr.split(':');
  return new Promise((resolve) => {
    const s = net.connect(Number(port), host!, () => s.write(data));
    let text = '';
    s.on('data', (d) => (text += d));
    const t = setTimeout(() => {
      s.destroy();
      resolve({ text, closed: false });
    }, boundMs);
    s.on('close', () => {
      clearTimeout(t);
      resolve({ text, closed: true });
    });
    s.on('error', () => {});
  });
}

describe('listener limits and lifecycle (sluice serve)', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let up: Upstream;
  let slow: Upstream;

  before(async () => {
    up = await startUpstream('up');
    slow = await startSlowUpstream('slow');
    cfg = await ConfigDir.create();
    await cfg.write('c.yaml', [
      ...backend('up', [{ ip: '127.0.0.1', port: up.port }]),
      ...backend('slow', [{ ip: '127.0.0.1', port: slow.port }]),
      ingress('r', [{ hosts: ['r.example.com'], paths: [{ path: '/slow', splits: [{ service: 'slow' }] }, { splits: [{ service: 'up' }] }] }]),
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--header-timeout', '1', '--idle-timeout', '1', '--max-header-size', '8192']);
  });

  after(async () => {
    await sluice?.stop();
    await up?.close();
    await slow?.close();
    await cfg?.cleanup();
  });

  it('answers 431 to an oversized head, 400 to malformed and smuggling-shaped requests, and keeps serving others', async () => {
    const addr = sluice.addresses.http!;
    const big = await rawExchange(addr, `GET / HTTP/1.1\r\nHost: r.example.com\r\nX-Big: ${'a'.repeat(10_000)}\r\n\r\n`);
    assert.match(big.text, /^HTTP\/1\.1 431 /);
    assert.ok(big.closed);
    const many = Array.from({ length: 201 }, (_, i) => `X-H${i}: v\r\n`).join('');
    assert.match((await rawExchange(addr, `GET / HTTP/1.1\r\nHost: r.example.com\r\n${many}\r\n`)).text, /^HTTP\/1\.1 431 /, 'more than 200 headers');
    assert.match((await rawExchange(addr, 'THIS IS NOT HTTP\r\n\r\n')).text, /^HTTP\/1\.1 400 /);
    assert.match((await rawExchange(addr, 'GET / HTTP/1.1\r\nHost: r.example.com\r\nBad Header: x\r\n\r\n')).text, /^HTTP\/1\.1 400 /);
    const smuggle = await rawExchange(addr, 'POST / HTTP/1.1\r\nHost: r.example.com\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: r.example.com\r\n\r\n');
    assert.match(smuggle.text, /^HTTP\/1\.1 400 /);
    assert.equal(up.requests.length, 0, 'nothing reached the upstream');
    assert.equal((await get(addr, 'r.example.com')).status, 200);
  });

  it('closes a slowloris connection after the header timeout', async () => {
    const [host, port] = sluice.addresses.http!.split(':');
    const started = Date.now();
    const closedAfter = await new Promise<number>((resolve, reject) => {
      const s = net.connect(Number(port), host!, () => s.write('GET / HTTP/1.1\r\nHost: r.example.com\r\n'));
      const drip = setInterval(() => s.writable && s.write('X-Drip: 1\r\n'), 200);
      const t = setTimeout(() => reject(new Error('slow client was never cut off')), 6000);
      s.on('close', () => {
        clearInterval(drip);
        clearTimeout(t);
        resolve(Date.now() - started);
      });
      s.on('error', () => {});
    });
    assert.ok(closedAfter >= 900, `closed after ${closedAfter} ms`);
  });

  it('closes idle keep-alive connections but not long-running responses', async () => {
    const slowReply = await get(sluice.addresses.http!, 'r.example.com', '/slow');
    assert.equal(slowReply.body, 'ab', 'a 2.5 s response outlives the 1 s idle and header timeouts');
    // One complete keep-alive exchange, then silence: the server closes the idle connection.
    const started = Date.now();
    const ex = await rawExchange(sluice.addresses.http!, 'GET / HTTP/1.1\r\nHost: r.example.com\r\n\r\n', 6000);
    assert.match(ex.text, /^HTTP\/1\.1 200 /);
    assert.ok(ex.closed, 'idle connection closed by the server');
    assert.ok(Date.now() - started >= 900, 'not before the idle timeout');
  });
});

describe('graceful shutdown (SIGTERM)', () => {
  it('finishes in-flight requests, refuses new ones, and exits 0', async () => {
    const up = await startUpstream('late', (_req, res) => void setTimeout(() => res.end('finished'), 1500));
    const cfg = await ConfigDir.create();
    await cfg.write('c.yaml', [...backend('late', [{ ip: '127.0.0.1', port: up.port }]), ingress('g', [{ hosts: ['g.example.com'], paths: [{ splits: [{ service: 'late' }] }] }])]);
    const sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    try {
      const inflight = get(sluice.addresses.http!, 'g.example.com');
      await new Promise((r) => setTimeout(r, 300));
      const exited = sluice.stop('SIGTERM');
      const r = await inflight;
      assert.equal(r.status, 200);
      assert.equal(r.body, 'finished');
      assert.equal(await exited, 0);
      await assert.rejects(get(sluice.addresses.http!, 'g.example.com'), 'no longer accepting');
    } finally {
      await sluice.stop('SIGKILL');
      await up.close();
      await cfg.cleanup();
    }
  });
});
