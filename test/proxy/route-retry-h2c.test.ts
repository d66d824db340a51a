// Route retries to h2c upstreams: a stream the upstream refuses (REFUSED_STREAM) is resent, even
// for a POST (the upstream did not process it); a listed status is resent for an idempotent
// request. From an HTTP/1.1 client (node:http; the fast path hands h2c routes to it) and an HTTP/2
// client. Served from hand-built snapshots on a Gateway API port (gateway-ports-helpers.ts).
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Route, VirtualHost } from '../../src/snapshot/types.ts';
import { get } from '../support/http.ts';
import { cluster, freePort, port, portName, startPorts, type PortsUnderTest, vhost } from './gateway-ports-helpers.ts';
import { connectH2, h2Request } from './h2-helpers.ts';

function retryHost(p: number, host: string, clusterName: string, retry: Route['retry']): VirtualHost {
  const base = vhost(portName(p), host, clusterName);
  return { ...base, routes: base.routes.map((r) => ({ ...r, retry })) };
}

describe('route retries to h2c upstreams', () => {
  let server: http2.Http2Server;
  const sessions = new Set<http2.ServerHttp2Session>();
  /** requests each path received */
  const seen = new Map<string, number>();
  let t: PortsUnderTest;
  let p: number;
  const addr = (): string => `127.0.0.1:${p}`;

  before(async () => {
    // /<mode>/<failures>/...: the first <failures> streams to the path are refused or get 503.
    server = http2.createServer();
    server.on('session', (session) => {
      sessions.add(session);
      session.on('close', () => sessions.delete(session));
    });
    server.on('stream', (stream, headers) => {
      stream.on('error', () => {});
      const path = String(headers[':path']);
      const n = (seen.get(path) ?? 0) + 1;
      seen.set(path, n);
      const [, mode, failures] = path.split('/');
      const failing = n <= Number(failures);
      if (failing && mode === 'refuse') return stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
      stream.resume();
      stream.on('end', () => {
        if (stream.destroyed) return;
        stream.respond({ ':status': failing ? 503 : 200, 'content-type': 'text/plain' });
        stream.end(failing ? 'busy' : `fine ${n}`);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const upstreamPort = (server.address() as AddressInfo).port;
    t = startPorts({ fastPath: true });
    p = await freePort();
    await t.publish({
      clusters: [cluster('default/h2c:80', upstreamPort, 'h2c')],
      ports: [port(p, 'HTTP', [retryHost(p, 'h2c.example.com', 'default/h2c:80', { attempts: 2, codes: [503], backoffMs: 5 })])],
    });
  });

  after(async () => {
    await t.stop();
    // close() waits for every session to end: the gateway's pooled one is ended here.
    for (const session of sessions) session.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('resends a GET from an HTTP/1.1 client after refused streams and a 503', async () => {
    for (const mode of ['refuse', '503']) {
      const url = `/${mode}/2/h1`;
      const r = await get(addr(), 'h2c.example.com', url);
      assert.equal(r.status, 200, `${mode}: ${r.body}`);
      assert.equal(r.body, 'fine 3');
    }
  });

  it('resends an HTTP/2 client\'s GET and bodiless POST after refused streams, but not a POST after a 503', async () => {
    const session = connectH2(addr());
    try {
      for (const method of ['GET', 'POST']) {
        const url = `/refuse/2/h2-${method}`;
        const r = await h2Request(session, { ':method': method, ':path': url, ':authority': 'h2c.example.com' }, undefined, 5000);
        assert.equal(r.status, 200, `${method}: ${r.body}`);
        assert.equal(seen.get(url), 3);
      }
      const url = '/503/1/h2-POST';
      const r = await h2Request(session, { ':method': 'POST', ':path': url, ':authority': 'h2c.example.com' }, undefined, 5000);
      assert.equal(r.status, 503);
      assert.equal(seen.get(url), 1);
    } finally {
      session.destroy();
    }
  });
});
