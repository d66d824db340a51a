// A config value carrying CR/LF (a rewriteHost or an appendHeaders value) is rejected at load: the
// header it smuggles never reaches an upstream, a request smuggled after `\r\n\r\n` never reaches
// the upstream's pooled connection, and the rest of the configuration keeps serving (an edited
// ingress from its last good version).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress, toYaml } from '../support/config.ts';
import { eventually, get, getJson } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type EchoReply, type Upstream, startUpstream } from '../support/upstream.ts';

interface StatusBody {
  rejected: Array<{ name?: string; file?: string; line?: number; errors: Array<{ path: string; message: string; line?: number }> }>;
}

const SMUGGLE = 'a.example.com\r\nX-Injected: yes\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a.example.com';
const evil = toYaml([
  ingress('evil-host', [{ hosts: ['evil.example.com'], paths: [{ rewriteHost: SMUGGLE, splits: [{ service: 'web' }] }] }]),
  ingress('evil-header', [{ hosts: ['evil2.example.com'], paths: [{ appendHeaders: { 'X-Via': 'sluice\r\nX-Injected: yes' }, splits: [{ service: 'web' }] }] }]),
]);
/** A WebSocket upstream that records each request head and answers 101. */
async function startRawUpgradeUpstream(): Promise<{ port: number; heads: string[]; close: () => Promise<void> }> {
  const heads: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buf = '';
    socket.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      if (!buf.includes('\r\n\r\n')) return;
      heads.push(buf);
      buf = '';
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    heads,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Sends a WebSocket upgrade for `host` and returns the status line of the answer. */
async function upgrade(addr: string, host: string): Promise<string> {
  const [h, p] = [addr.slice(0, addr.lastIndexOf(':')), Number(addr.slice(addr.lastIndexOf(':') + 1))];
  const socket = net.connect({ host: h, port: p });
  socket.setTimeout(5000, () => socket.destroy(new Error('upgrade timed out')));
  try {
    await once(socket, 'connect');
    socket.write(`GET /chat HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
    let buf = '';
    while (!buf.includes('\r\n')) buf += ((await once(socket, 'data')) as [Buffer])[0].toString('latin1');
    return buf.slice(0, buf.indexOf('\r\n'));
  } finally {
    socket.destroy();
  }
}

/** 1-based line of the first line of `text` that contains `needle` */
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('header injection through configuration', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let web: Upstream;
  let ws: Awaited<ReturnType<typeof startRawUpgradeUpstream>>;
  const editDocs = (rewriteHost: string) => [
    ingress('edit', [{ hosts: ['edit.example.com'], paths: [{ rewriteHost, splits: [{ service: 'web' }] }] }]),
    ingress('edit-ws', [{ hosts: ['ws.example.com'], paths: [{ rewriteHost, splits: [{ service: 'ws' }] }] }]),
  ];
  const injected = () => web.requests.filter((r) => r.headers['x-injected'] !== undefined || r.url.includes('smuggled'));
  const rejectedNames = async () => (await getJson<StatusBody>(sluice.addresses.admin!, 'admin', '/status')).json.rejected.map((r) => r.name).sort();

  before(async () => {
    web = await startUpstream('web');
    ws = await startRawUpgradeUpstream();
    cfg = await ConfigDir.create();
    await cfg.write('backends.yaml', [...backend('web', [{ ip: '127.0.0.1', port: web.port }]), ...backend('ws', [{ ip: '127.0.0.1', port: ws.port }])]);
    await cfg.write('good.yaml', [ingress('good', [{ hosts: ['good.example.com'], paths: [{ splits: [{ service: 'web' }] }] }])]);
    await cfg.write('edit.yaml', editDocs('fine.example.com'));
    await cfg.write('evil.yaml', evil);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  });

  after(async () => {
    await sluice?.stop();
    await web?.close();
    await ws?.close();
    await cfg?.cleanup();
  });

  it('rejects the documents with the field path and serves everything else', async () => {
    const status = (await getJson<StatusBody>(sluice.addresses.admin!, 'admin', '/status')).json;
    const where = status.rejected.flatMap((r) => r.errors.map((e) => [r.file, r.line, e.line, e.path])).sort((x, y) => Number(x[1]) - Number(y[1]));
    assert.deepEqual(where, [
      ['evil.yaml', lineOf(evil, 'rewriteHost:'), lineOf(evil, 'rewriteHost:'), 'spec.rules[0].http.paths[0].rewriteHost'],
      ['evil.yaml', lineOf(evil, 'X-Via:'), lineOf(evil, 'X-Via:'), 'spec.rules[0].http.paths[0].appendHeaders.X-Via'],
    ]);
    // serve's log names the same file:line
    const logged = `evil.yaml:${lineOf(evil, 'rewriteHost:')}: Ingress default/evil-host: spec.rules[0].http.paths[0].rewriteHost: must be a host name`;
    assert.ok(sluice.lines.some((l) => l.includes(logged)), `no log line with ${logged}`);
    assert.equal((await get(sluice.addresses.http!, 'good.example.com')).status, 200);
    assert.equal((await get(sluice.addresses.http!, 'evil.example.com')).status, 404);
    assert.equal((await get(sluice.addresses.http!, 'evil2.example.com')).status, 404);
    assert.deepEqual(injected(), []);
  });

  it('keeps serving the last good version of an ingress edited to carry an injection', async () => {
    await cfg.write('edit.yaml', editDocs(SMUGGLE));
    assert.ok(await eventually(async () => (await rejectedNames()).includes('edit-ws'), 5000), 'the edit is rejected');
    // Several requests, so a pooled upstream connection would carry a smuggled one.
    for (let i = 0; i < 3; i++) {
      const r = await getJson<EchoReply>(sluice.addresses.http!, 'edit.example.com');
      assert.equal(r.status, 200);
      assert.equal(r.json.headers.host, 'fine.example.com');
    }
    assert.equal((await get(sluice.addresses.http!, 'good.example.com')).status, 200);
    assert.deepEqual(injected(), []);
  });

  it('sends a WebSocket upgrade with the last good Host and no injected header', async () => {
    assert.equal(await upgrade(sluice.addresses.http!, 'ws.example.com'), 'HTTP/1.1 101 Switching Protocols');
    assert.equal(await upgrade(sluice.addresses.http!, 'evil.example.com'), 'HTTP/1.1 404 Not Found');
    assert.equal(ws.heads.length, 1);
    const head = ws.heads[0] ?? '';
    assert.match(head, /^GET \/chat HTTP\/1\.1\r\n/);
    assert.match(head, /\r\nhost: fine\.example\.com\r\n/i);
    assert.doesNotMatch(head, /x-injected|smuggled/i);
  });
});
