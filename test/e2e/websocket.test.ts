// WebSockets through the real `sluice serve` process, with `ws` servers and clients.
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';

interface WsBackend {
  readonly name: string;
  readonly server: WebSocketServer;
  readonly port: number;
  /** close code and reason of every client-initiated close the backend saw */
  readonly closes: Array<[number, string]>;
  /** headers of the last upgrade request */
  lastHeaders: IncomingHttpHeaders;
}

async function startWsBackend(name: string): Promise<WsBackend> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => server.once('listening', () => r()));
  const b: WsBackend = { name, server, port: (server.address() as { port: number }).port, closes: [], lastHeaders: {} };
  server.on('connection', (ws, req) => {
    b.lastHeaders = req.headers;
    ws.on('message', (data, isBinary) => {
      const text = data.toString();
      if (!isBinary && text.startsWith('close-me:')) ws.close(4002, `bye from ${name}`);
      else if (isBinary) ws.send(Buffer.concat([Buffer.from(name), data as Buffer]), { binary: true });
      else ws.send(`${name}:${text}`);
    });
    ws.on('close', (code, reason) => b.closes.push([code, reason.toString()]));
  });
  return b;
}

function open(addr: string, host: string, path = '/', scheme = 'ws'): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${scheme}://${addr}${path}`, { headers: { host }, handshakeTimeout: 10_000 });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      reject(Object.assign(new Error(`unexpected response ${res.statusCode}`), { status: res.statusCode }));
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

function roundTrip(ws: WebSocket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no echo within 10 s')), 10_000);
    ws.once('message', (d) => {
      clearTimeout(t);
      resolve(d.toString());
    });
    ws.send(text);
  });
}

function closed(ws: WebSocket): Promise<[number, string]> {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve([code, reason.toString()])));
}

describe('WebSockets (sluice serve)', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  const be: Record<string, WsBackend> = {};
  const sockets = new Set<WebSocket>();
  const track = (ws: WebSocket): WebSocket => {
    sockets.add(ws);
    ws.once('close', () => sockets.delete(ws));
    return ws;
  };

  before(async () => {
    for (const n of ['a', 'b', 'c']) be[n] = await startWsBackend(n);
    cfg = await ConfigDir.create();
    await cfg.write('backends.yaml', [
      ...backend('ws-a', [{ ip: '127.0.0.1', port: be.a!.port }]),
      ...backend('ws-b', [{ ip: '127.0.0.1', port: be.b!.port }]),
      ...backend('ws-c', [{ ip: '127.0.0.1', port: be.c!.port }]),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'empty', namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } },
    ]);
    await cfg.write('ingress.yaml', [
      ingress('ws', [
        { hosts: ['ws.example.com'], paths: [{ path: '/empty', splits: [{ service: 'empty' }] }, { splits: [{ service: 'ws-a', appendHeaders: { 'Knative-Serving-Revision': 'a' } }] }] },
        { hosts: ['split.example.com'], paths: [{ splits: [{ service: 'ws-a', percent: 50 }, { service: 'ws-b', percent: 50 }] }] },
        { hosts: ['many.example.com'], paths: [{ splits: [{ service: 'ws-c' }] }] },
        { hosts: ['ws.default.svc.cluster.local'], visibility: 'ClusterLocal', paths: [{ splits: [{ service: 'ws-b' }] }] },
      ]),
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  });

  after(async () => {
    for (const ws of sockets) ws.terminate();
    await sluice?.stop();
    await Promise.all(Object.values(be).map((b) => new Promise<void>((r) => { for (const c of b.server.clients) c.terminate(); b.server.close(() => r()); })));
    await cfg?.cleanup();
  });

  it('upgrades through --http and --local and carries messages both ways', async () => {
    const ws = track(await open(sluice.addresses.http!, 'ws.example.com', '/chat?room=1'));
    assert.equal(await roundTrip(ws, 'hello'), 'a:hello');
    const bin = await new Promise<Buffer>((resolve) => {
      ws.once('message', (d) => resolve(d as Buffer));
      ws.send(Buffer.from([0, 1, 2, 255]));
    });
    assert.deepEqual([...bin], [...Buffer.from('a'), 0, 1, 2, 255]);
    // The route's header edits and X-Forwarded-For reach the backend's upgrade request.
    assert.equal(be.a!.lastHeaders['knative-serving-revision'], 'a');
    assert.equal(be.a!.lastHeaders['x-forwarded-for'], '127.0.0.1');
    assert.equal(be.a!.lastHeaders.host, 'ws.example.com');
    ws.close();
    const local = track(await open(sluice.addresses.local!, 'ws.default.svc', '/'));
    assert.equal(await roundTrip(local, 'x'), 'b:x');
    local.close();
  });

  it('passes close codes and reasons both ways', async () => {
    const ws = track(await open(sluice.addresses.http!, 'ws.example.com'));
    const done = closed(ws);
    ws.close(4001, 'client bye');
    assert.deepEqual(await done, [4001, 'client bye']);
    assert.ok(await eventually(() => be.a!.closes.some(([c, r]) => c === 4001 && r === 'client bye'), 5000), JSON.stringify(be.a!.closes));

    const ws2 = track(await open(sluice.addresses.http!, 'ws.example.com'));
    const done2 = closed(ws2);
    ws2.send('close-me:now');
    assert.deepEqual(await done2, [4002, 'bye from a']);
  });

  it('answers 503 when no endpoint is there and 404 for unknown hosts', async () => {
    await assert.rejects(open(sluice.addresses.http!, 'ws.example.com', '/empty'), (e: { status?: number }) => e.status === 503);
    await assert.rejects(open(sluice.addresses.http!, 'nobody.example.com'), (e: { status?: number }) => e.status === 404);
  });

  it('splits WebSocket connections by percent', async () => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < 200; i += 20) {
      const batch = await Promise.all(Array.from({ length: 20 }, () => open(sluice.addresses.http!, 'split.example.com').then(track)));
      for (const ws of batch) {
        const who = (await roundTrip(ws, 'who')).split(':')[0]!;
        counts[who] = (counts[who] ?? 0) + 1;
        ws.close();
      }
    }
    // Binomial(200, 0.5): sd ~7; bounds are > 5 sd wide.
    assert.ok(counts.a! > 64 && counts.a! < 136, JSON.stringify(counts));
    assert.equal(counts.a! + counts.b!, 200);
  });

  it('holds 1,000 WebSockets open at once', async () => {
    const n = 1000;
    const all: WebSocket[] = [];
    for (let i = 0; i < n; i += 100) {
      all.push(...(await Promise.all(Array.from({ length: 100 }, () => open(sluice.addresses.http!, 'many.example.com').then(track)))));
    }
    assert.equal(be.c!.server.clients.size, n, 'every socket is open at the backend at the same time');
    const replies = await Promise.all(all.map((ws, i) => roundTrip(ws, `m${i}`)));
    assert.ok(replies.every((r, i) => r === `c:m${i}`));
    await Promise.all(all.map((ws) => { const c = closed(ws); ws.close(1000, 'done'); return c; }));
    assert.ok(await eventually(() => be.c!.server.clients.size === 0, 10_000), `backend still has ${be.c!.server.clients.size} sockets`);
  });
});
