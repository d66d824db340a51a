// One upstream failure, one metric label, whatever path the request took: a name that does not
// resolve is `dns` on the HTTP/1.1 fast path, on node:http (undici), on HTTP/2 (raw sockets and
// undici) and for WebSocket upgrades, and a refused connection is `connection_refused` on each.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, externalNameService, ingress } from '../support/config.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { refusedPort } from '../support/refused-port.ts';

/** Sends one raw HTTP/1.x request and returns the status code of the answer. */
function rawStatus(addr: string, request: string): Promise<number> {
  const [host, port] = [addr.slice(0, addr.lastIndexOf(':')), Number(addr.slice(addr.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port }, () => s.write(request));
    let buf = '';
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error(`no answer within 15 s: ${JSON.stringify(buf)}`));
    }, 15_000);
    s.on('data', (d) => {
      buf += d.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(buf);
      if (m) {
        clearTimeout(t);
        s.destroy();
        resolve(Number(m[1]));
      }
    });
    s.on('error', reject);
  });
}

function h2Status(addr: string, host: string, method: string, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${addr}`);
    session.on('error', reject);
    const req = session.request({ ':method': method, ':path': '/', ':authority': host });
    req.on('response', (h) => {
      resolve(Number(h[':status']));
      session.destroy();
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function reasons(adminAddr: string, cluster: string): Promise<Record<string, number>> {
  const text = await (await fetch(`http://${adminAddr}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^sluice_upstream_errors_total\{cluster="([^"]+)",reason="([^"]+)"\} (\d+)/.exec(line);
    if (m && m[1] === cluster) out[m[2]!] = Number(m[3]);
  }
  return out;
}

describe('upstream error reasons agree across paths', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let closedPort: number;

  before(async () => {
    closedPort = refusedPort();
    cfg = await ConfigDir.create();
    await cfg.write('svc.yaml', [externalNameService('nowhere', 'nowhere.invalid', 80), ...backend('refused', [{ ip: '127.0.0.1', port: closedPort }])]);
    await cfg.write('ingress.yaml', [
      ingress('errs', [
        { hosts: ['dns.example.com'], paths: [{ splits: [{ service: 'nowhere' }] }] },
        { hosts: ['refused.example.com'], paths: [{ splits: [{ service: 'refused' }] }] },
      ]),
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  });

  after(async () => {
    await sluice?.stop();
    await cfg?.cleanup();
  });

  for (const [host, cluster, reason] of [
    ['dns.example.com', 'default/nowhere:80', 'dns'],
    ['refused.example.com', 'default/refused:80', 'connection_refused'],
  ] as const) {
    it(`${reason}: the fast path, node:http, HTTP/2 (raw and undici) and WebSockets all say "${reason}"`, async () => {
      const addr = sluice.addresses.http!;
      // fast path; HTTP/1.0 is handed to node:http and undici; a WebSocket upgrade to websocket.ts
      assert.equal(await rawStatus(addr, `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`), 503);
      assert.equal(await rawStatus(addr, `GET / HTTP/1.0\r\nHost: ${host}\r\n\r\n`), 503);
      assert.equal(await rawStatus(addr, `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`), 503);
      // HTTP/2: bodiless (raw upstream sockets) and with a body (undici)
      assert.equal(await h2Status(addr, host, 'GET'), 503);
      assert.equal(await h2Status(addr, host, 'POST', 'x'), 503);
      const seen = await reasons(sluice.addresses.admin!, cluster);
      assert.deepEqual(seen, { [reason]: 5 }, JSON.stringify(seen));
    });
  }
});
