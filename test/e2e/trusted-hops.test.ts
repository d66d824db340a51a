// --trusted-hops N through the real `sluice serve` (Envoy's xff_num_trusted_hops with
// use_remote_address): the client is the N-th X-Forwarded-For entry from the right, for the access
// log, x-envoy-external-address and per-client policies; the peer is still appended to
// X-Forwarded-For, and a trusted proxy's X-Forwarded-Proto is kept.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { get } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { rawExchange } from './raw-client.ts';
import { type EchoReply, type Upstream, startUpstream } from '../support/upstream.ts';

const HOST = 'hops.example.com';
const LIMITED = 'limited.example.com';

describe('trusted hops (sluice serve --trusted-hops 2)', () => {
  let cfg: ConfigDir;
  let up: Upstream;
  let sluice: SluiceProcess;
  let plain: SluiceProcess;

  before(async () => {
    up = await startUpstream('web');
    cfg = await ConfigDir.create();
    await cfg.write('config.yaml', [
      ...backend('web', [{ ip: '127.0.0.1', port: up.port }]),
      ingress('hops', [{ hosts: [HOST], paths: [{ splits: [{ service: 'web' }] }] }]),
      ingress('limited', [{ hosts: [LIMITED], paths: [{ splits: [{ service: 'web' }] }] }], { annotations: { 'sluice.dev/traffic-policy': 'per-client' } }),
      { apiVersion: 'sluice.dev/v1alpha1', kind: 'TrafficPolicy', metadata: { name: 'per-client', namespace: 'default' }, spec: { rateLimit: { requests: 1, unit: 'minute', key: 'client' } } },
    ]);
    const args = ['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--access-log', '-'];
    [sluice, plain] = await Promise.all([startSluice([...args, '--trusted-hops', '2']), startSluice(args)]);
  });

  after(async () => {
    await Promise.all([sluice?.stop(), plain?.stop()]);
    await up?.close();
    await cfg?.cleanup();
  });

  const echo = async (gw: SluiceProcess, path: string, headers: Record<string, string>): Promise<EchoReply> => {
    const r = await get(gw.addresses.http!, HOST, path, headers);
    assert.equal(r.status, 200);
    return JSON.parse(r.body) as EchoReply;
  };

  it("takes the client from the 2nd entry from the right, as Envoy's example: access log and x-envoy-external-address", async () => {
    const e = await echo(sluice, '/three', { 'x-forwarded-for': '203.0.113.128, 203.0.113.10, 203.0.113.1', 'x-envoy-external-address': '6.6.6.6' });
    assert.equal(e.headers['x-forwarded-for'], '203.0.113.128, 203.0.113.10, 203.0.113.1, 127.0.0.1');
    assert.equal(e.headers['x-envoy-external-address'], '203.0.113.10');
    const line = await sluice.waitForLog((l) => l.path === '/three', 5000);
    assert.equal(line.client, '203.0.113.10');
  });

  it('counts entries across several X-Forwarded-For fields', async () => {
    const t = await rawExchange(sluice.addresses.http!, [`GET /split2 HTTP/1.1\r\nHost: ${HOST}\r\nX-Forwarded-For: 198.51.100.1\r\nX-Forwarded-For: 198.51.100.2, 198.51.100.3\r\nConnection: close\r\n\r\n`]);
    const body = JSON.parse(t.text.slice(t.text.indexOf('\r\n\r\n') + 4)) as EchoReply;
    assert.equal(body.headers['x-envoy-external-address'], '198.51.100.2');
  });

  it('falls back to the peer when X-Forwarded-For is too short or the entry is not an address', async () => {
    assert.equal((await echo(sluice, '/short', { 'x-forwarded-for': '203.0.113.1' })).headers['x-envoy-external-address'], '127.0.0.1');
    assert.equal((await echo(sluice, '/none', {})).headers['x-envoy-external-address'], '127.0.0.1');
    assert.equal((await echo(sluice, '/junk', { 'x-forwarded-for': 'not-an-ip, 203.0.113.1' })).headers['x-envoy-external-address'], '127.0.0.1');
  });

  it("keeps a trusted proxy's X-Forwarded-Proto, sets it when absent", async () => {
    assert.equal((await echo(sluice, '/proto', { 'x-forwarded-for': '1.1.1.1, 2.2.2.2', 'x-forwarded-proto': 'https' })).headers['x-forwarded-proto'], 'https');
    assert.equal((await echo(sluice, '/proto2', {})).headers['x-forwarded-proto'], 'http');
  });

  it('per-client policies see the trusted client: a rate limit keyed by client', async () => {
    const from = (client: string) => get(sluice.addresses.http!, LIMITED, '/', { 'x-forwarded-for': `${client}, 10.0.0.1` });
    assert.equal((await from('192.0.2.1')).status, 200);
    assert.equal((await from('192.0.2.1')).status, 429);
    assert.equal((await from('192.0.2.2')).status, 200, 'another client behind the same proxies has its own bucket');
  });

  it('without --trusted-hops: the peer is the client, client-sent proto and external address are not believed', async () => {
    const e = await echo(plain, '/plain', { 'x-forwarded-for': '203.0.113.10, 203.0.113.1', 'x-forwarded-proto': 'https', 'x-envoy-external-address': '6.6.6.6' });
    assert.equal(e.headers['x-forwarded-for'], '203.0.113.10, 203.0.113.1, 127.0.0.1');
    assert.equal(e.headers['x-forwarded-proto'], 'http');
    assert.equal(e.headers['x-envoy-external-address'], undefined);
    const line = await plain.waitForLog((l) => l.path === '/plain', 5000);
    assert.equal(line.client, '127.0.0.1');
  });
});
