// PROXY protocol on Gateway API ports (--proxy-protocol gateway): an HTTP port takes the header's
// source as the client and closes connections without one; --http, not named, is left alone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend } from '../support/config.ts';
import { v2Header } from '../support/proxy-header.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type EchoReply, startUpstream, type Upstream } from '../support/upstream.ts';
import { freePort } from '../proxy/gateway-ports-helpers.ts';
import { rawExchange } from './raw-client.ts';

const HOST = 'app.example.com';

describe('PROXY protocol on Gateway API ports (--proxy-protocol gateway)', () => {
  let cfg: ConfigDir;
  let up: Upstream;
  let sluice: SluiceProcess;
  let port: number;

  before(async () => {
    up = await startUpstream('app');
    port = await freePort();
    cfg = await ConfigDir.create();
    await cfg.write('gw.yaml', [
      ...backend('app', [{ ip: '127.0.0.1', port: up.port }]),
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'sluice' }, spec: { controllerName: 'sluice.dev/gateway-controller' } },
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'gw', namespace: 'default' }, spec: { gatewayClassName: 'sluice', listeners: [{ name: 'web', port, protocol: 'HTTP' }] } },
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'app', namespace: 'default' }, spec: { parentRefs: [{ name: 'gw' }], hostnames: [HOST], rules: [{ backendRefs: [{ name: 'app', port: 80 }] }] } },
    ]);
    sluice = await startSluice(
      ['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--gateway-address', '127.0.0.1', '--proxy-protocol', 'gateway'],
      ['http', 'local', 'admin', `gateway/127.0.0.1:${port}`],
    );
  });

  after(async () => {
    await sluice?.stop();
    await up?.close();
    await cfg?.cleanup();
  });

  const request = `GET / HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`;

  it("takes the header's source as the client", async () => {
    const r = await rawExchange(`127.0.0.1:${port}`, [Buffer.concat([v2Header('203.0.113.70', 5000), Buffer.from(request)])]);
    assert.match(r.text, /^HTTP\/1\.1 200 /);
    assert.equal((JSON.parse(r.text.slice(r.text.indexOf('\r\n\r\n') + 4)) as EchoReply).headers['x-forwarded-for'], '203.0.113.70');
  });

  it('closes a connection without a header; --http (not named) serves one', async () => {
    const r = await rawExchange(`127.0.0.1:${port}`, [request]);
    assert.ok(r.closed);
    assert.equal(r.text, '');
    const plain = await rawExchange(sluice.addresses.http!, [request]);
    assert.match(plain.text, /^HTTP\/1\.1 (404|200) /);
  });
});
