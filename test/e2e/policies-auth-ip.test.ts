// IP allow/deny lists through `sluice serve`: TrafficPolicies named by Knative Ingress annotations,
// a real echo upstream, clients on IPv4 and IPv6 loopback (a dual-stack listener sees IPv4 clients
// as IPv4-mapped IPv6 addresses), HTTP/1.1 and HTTP/2 (curl).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually, get } from '../support/http.ts';
import { type SluiceProcess, runSluice, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';
import { trafficPolicy } from '../policies/helpers.ts';

const run = promisify(execFile);

describe('IP allow/deny lists through sluice serve', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let echo: Upstream;
  /** the dual-stack listener's port */
  let port: number;

  before(async () => {
    echo = await startUpstream('echo');
    cfg = await ConfigDir.create();
    const site = (name: string, policy: string) => ingress(name, [{ hosts: [`${name}.example.com`], paths: [{ splits: [{ service: 'echo' }] }] }], { annotations: { 'sluice.dev/traffic-policy': policy } });
    await cfg.write('config.yaml', [
      site('deny', 'deny-loopback4'),
      site('allow', 'allow-loopback6'),
      site('open', 'deny-doc'),
      trafficPolicy('deny-loopback4', { ipAccess: { deny: ['127.0.0.0/8'] } }),
      trafficPolicy('allow-loopback6', { ipAccess: { allow: ['::1'], deny: ['192.0.2.0/24'] } }),
      trafficPolicy('deny-doc', { ipAccess: { deny: ['192.0.2.0/24', '2001:db8::/32'] } }),
      ...backend('echo', [{ ip: '127.0.0.1', port: echo.port }]),
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '[::]:0', '--admin', '127.0.0.1:0']);
    port = Number(sluice.addresses.local!.split(':').at(-1));
    assert.ok(await eventually(async () => (await get(sluice.addresses.http!, 'open.example.com', '/')).status === 200, 10_000));
  });

  after(async () => {
    await sluice?.stop();
    await echo?.close();
    await cfg?.cleanup();
  });

  it('answers 403 to a denied IPv4 client, also when the listener sees it as an IPv4-mapped IPv6 address', async () => {
    const direct = await get(sluice.addresses.http!, 'deny.example.com', '/');
    assert.equal(direct.status, 403);
    assert.match(direct.body, /access denied/);
    assert.equal((await get(`127.0.0.1:${port}`, 'deny.example.com', '/')).status, 403, '::ffff:127.0.0.1 is in 127.0.0.0/8');
    assert.equal((await get(`[::1]:${port}`, 'deny.example.com', '/')).status, 200, '::1 is not');
  });

  it('lets only allow-listed clients through', async () => {
    assert.equal((await get(`[::1]:${port}`, 'allow.example.com', '/')).status, 200);
    assert.equal((await get(`127.0.0.1:${port}`, 'allow.example.com', '/')).status, 403);
    assert.equal((await get(sluice.addresses.http!, 'allow.example.com', '/')).status, 403);
  });

  it('applies to HTTP/2 requests too', async () => {
    const curl = async (host: string) => (await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code} %{http_version}', '--http2-prior-knowledge', '-H', `host: ${host}`, `http://${sluice.addresses.http!}/`], { timeout: 10_000 })).stdout;
    assert.equal(await curl('deny.example.com'), '403 2');
    assert.equal(await curl('open.example.com'), '200 2');
  });

  it('sluice validate names a bad CIDR by its field', async () => {
    const bad = await ConfigDir.create();
    try {
      await bad.write('p.yaml', [trafficPolicy('p', { ipAccess: { allow: ['10.0.0.0/8', '10.0.0.0/33', 'example.com'] } })]);
      const out = await runSluice(['validate', bad.dir]);
      assert.equal(out.code, 1);
      const text = out.stdout + out.stderr;
      assert.match(text, /spec\.ipAccess\.allow\[1\]: .*prefix length "33" must be 0 to 32/);
      assert.match(text, /spec\.ipAccess\.allow\[2\]: .*"example\.com" is not an IPv4 or IPv6 address/);
      assert.doesNotMatch(text, /allow\[0\]/);
    } finally {
      await bad.cleanup();
    }
  });
});
