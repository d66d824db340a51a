// `sluice serve` binds the ports of the Gateways it serves at --gateway-address, each listener's port
// plus --port-offset; an edited Gateway rebinds without a restart; /config lists the ports; SIGTERM
// closes them; with --workers 2 every worker serves them.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend } from '../support/config.ts';
import { eventually, get, getJson } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { makeCert, tlsSecret } from '../proxy/certs.ts';
import { freePort } from '../proxy/gateway-ports-helpers.ts';
import { h2Request } from '../proxy/h2-helpers.ts';

// Runs once the Gateway API translator (ws/gwapi) is there to turn Gateways into snapshot.ports.
const NEEDS_TRANSLATOR = existsSync(new URL('../../src/gateway-api/translate.ts', import.meta.url)) ? false : 'needs the Gateway API translator (src/gateway-api, ws/gwapi)';

const gatewayClass = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'sluice' }, spec: { controllerName: 'sluice.dev/gateway-controller' } };
const gateway = (listeners: Array<{ name: string; port: number }>) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'gw', namespace: 'default' },
  spec: { gatewayClassName: 'sluice', listeners: listeners.map((l) => ({ ...l, protocol: 'HTTP' })) },
});
const route = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'app', namespace: 'default' },
  spec: { parentRefs: [{ name: 'gw' }], hostnames: ['app.example.com'], rules: [{ backendRefs: [{ name: 'app', port: 80 }] }] },
};

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.setTimeout(2000, () => s.destroy());
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('close', () => resolve(false));
    s.once('error', () => resolve(false));
  });
}

/** The CN of the certificate served on 127.0.0.1:port for `servername`, and the protocol ALPN chose. */
function handshake(port: number, servername: string): Promise<{ cn: string; alpn: string | false }> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername, ALPNProtocols: ['h2', 'http/1.1'], rejectUnauthorized: false });
    const timer = setTimeout(() => s.destroy(new Error('handshake timed out')), 5000);
    s.once('secureConnect', () => {
      clearTimeout(timer);
      resolve({ cn: String(s.getPeerCertificate().subject?.CN ?? ''), alpn: s.alpnProtocol ?? false });
      s.destroy();
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

describe('an HTTPS Gateway listener', { skip: NEEDS_TRANSLATOR }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-gw-https-'));
  let cfg: ConfigDir;
  let up: Upstream;
  let sluice: SluiceProcess;
  let p: number;
  after(async () => {
    await sluice?.stop();
    await up?.close();
    await cfg?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the certificate its certificateRefs name by SNI, ALPN h2, and routes over it', async () => {
    up = await startUpstream('app');
    p = await freePort();
    const a = makeCert(dir, 'a', ['app.example.com']);
    cfg = await ConfigDir.create();
    await cfg.write('backend.yaml', backend('app', [{ ip: '127.0.0.1', port: up.port }]));
    await cfg.write('gateway.yaml', [
      gatewayClass,
      tlsSecret('app-cert', a),
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'gw', namespace: 'default' },
        spec: { gatewayClassName: 'sluice', listeners: [{ name: 'tls', port: p, protocol: 'HTTPS', tls: { certificateRefs: [{ name: 'app-cert' }] } }] },
      },
      route,
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--gateway-address', '127.0.0.1'], ['http', 'local', 'admin', `gateway/127.0.0.1:${p}`]);
    assert.deepEqual(await handshake(p, 'app.example.com'), { cn: 'app.example.com', alpn: 'h2' });
    const session = http2.connect(`https://127.0.0.1:${p}`, { servername: 'app.example.com', rejectUnauthorized: false });
    session.on('error', () => {});
    try {
      const r = await h2Request(session, { ':path': '/', ':authority': 'app.example.com' });
      assert.equal(r.status, 200, r.body);
      assert.equal(r.headers['x-upstream'], 'app');
    } finally {
      session.close();
    }
  });
});

for (const workers of ['1', '2']) {
  describe(`Gateway API ports (sluice serve --workers ${workers})`, { skip: NEEDS_TRANSLATOR }, () => {
    let cfg: ConfigDir;
    let up: Upstream;
    let sluice: SluiceProcess;
    let first: number;
    let second: number;
    /** listener port 80 lands on `first` with the offset */
    let offset: number;

    before(async () => {
      up = await startUpstream('app');
      // the lower one is listener port 80 plus the offset, so the other's listener port is above 80
      [first, second] = [await freePort(), await freePort()].sort((x, y) => x - y) as [number, number];
      offset = first - 80;
      cfg = await ConfigDir.create();
      await cfg.write('backend.yaml', backend('app', [{ ip: '127.0.0.1', port: up.port }]));
      await cfg.write('route.yaml', [route]);
      await cfg.write('gateway.yaml', [gatewayClass, gateway([{ name: 'web', port: 80 }])]);
      sluice = await startSluice(
        ['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--gateway-address', '127.0.0.1', '--port-offset', String(offset), '--workers', workers],
        ['http', 'local', 'admin', `gateway/127.0.0.1:${first}`],
      );
    });
    after(async () => {
      await sluice?.stop();
      await up.close();
      await cfg.cleanup();
    });

    it('routes requests on the listener port plus the offset, and /config lists the port', async () => {
      assert.ok(await eventually(async () => (await get(`127.0.0.1:${first}`, 'app.example.com')).status === 200, 5000));
      assert.equal((await get(`127.0.0.1:${first}`, 'other.example.com')).status, 404);
      const config = await getJson<{ ports: Array<{ name: string; port: number }> }>(sluice.addresses.admin!, 'admin', '/config');
      assert.deepEqual(config.json.ports.map((p) => [p.name, p.port]), [[`gateway/127.0.0.1:${first}`, first]]);
      const metrics = await get(sluice.addresses.admin!, 'admin', '/metrics');
      assert.match(metrics.body, new RegExp(`sluice_requests_total\\{listener="gateway/127\\.0\\.0\\.1:${first}"`));
    });

    it('binds a listener added to the Gateway and closes one removed from it, without a restart', async () => {
      await cfg.write('gateway.yaml', [gatewayClass, gateway([{ name: 'other', port: second - offset }])]);
      assert.ok(await eventually(async () => (await get(`127.0.0.1:${second}`, 'app.example.com')).status === 200, 5000));
      assert.ok(await eventually(async () => !(await accepts(first)), 5000), 'the removed port is closed');
    });

    it('SIGTERM closes the ports and exits 0', async () => {
      assert.equal(await sluice.stop('SIGTERM'), 0);
      assert.equal(await accepts(second), false);
    });
  });
}
