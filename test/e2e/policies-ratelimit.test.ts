// Global rate limits through two `sluice serve` replicas sharing one rate limit service that
// speaks Envoy's protocol (envoy.service.ratelimit.v3, test/policies/global-rate-limit-server.ts):
// the limit is one for both, 429s carry the service's headers and the RateLimit headers, and a
// failing service follows failureMode.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually, get, getJson } from '../support/http.ts';
import { runSluice, type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type EchoReply, type Upstream, startUpstream } from '../support/upstream.ts';
import { type RateLimitServer, startRateLimitServer } from '../policies/global-rate-limit-server.ts';
import { trafficPolicy } from '../policies/helpers.ts';

const LIMIT = 3;

describe('global rate limit through two sluice serve replicas', () => {
  let cfg: ConfigDir;
  let replicas: SluiceProcess[] = [];
  let echo: Upstream;
  let rls: RateLimitServer;

  before(async () => {
    [echo, rls] = await Promise.all([startUpstream('echo'), startRateLimitServer(LIMIT)]);
    cfg = await ConfigDir.create();
    const site = (name: string, policy: string) => ingress(name, [{ hosts: [`${name}.example.com`], paths: [{ splits: [{ service: 'echo' }] }] }], { annotations: { 'sluice.dev/traffic-policy': policy } });
    const global = (service: string, failureMode: string) => ({
      service,
      domain: 'edge',
      descriptors: [[{ key: 'route', route: true }, { key: 'user', fromHeader: 'x-user' }], [{ key: 'generic_key', value: 'all' }, { clientAddress: true }]],
      timeout: '2s',
      failureMode,
    });
    await cfg.write('config.yaml', [
      site('limited', 'shared'),
      site('down', 'down'),
      site('open', 'open'),
      trafficPolicy('shared', { rateLimit: { global: { ...global(rls.address, 'deny'), descriptors: [[{ key: 'route', route: true }, { key: 'user', fromHeader: 'x-user' }]] } } }),
      // Nothing listens on port 1: the service cannot be reached.
      trafficPolicy('down', { rateLimit: { global: global('127.0.0.1:1', 'deny') } }),
      trafficPolicy('open', { rateLimit: { global: global('127.0.0.1:1', 'allow') } }),
      ...backend('echo', [{ ip: '127.0.0.1', port: echo.port }]),
    ]);
    const args = ['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0'];
    replicas = await Promise.all([startSluice(args), startSluice(args)]);
    for (const s of replicas) assert.ok(await eventually(async () => (await get(s.addresses.http!, 'open.example.com', '/')).status === 200, 10_000));
  });

  after(async () => {
    await Promise.all(replicas.map((s) => s.stop()));
    await Promise.all([echo?.close(), rls?.close()]);
    await cfg?.cleanup();
  });

  it('shares one limit between replicas, answering 429 with the service headers and RateLimit headers', async () => {
    const [a, b] = replicas.map((s) => s.addresses.http!) as [string, string];
    const alice = { 'x-user': 'alice' };
    for (const addr of [a, b, a]) {
      const ok = await getJson<EchoReply>(addr, 'limited.example.com', '/', alice);
      assert.equal(ok.status, 200);
      assert.equal(ok.json.headers['x-ratelimit-checked'], 'yes', "the service's request headers go upstream");
    }
    const r = await get(b, 'limited.example.com', '/', alice);
    assert.equal(r.status, 429, 'the fourth request, on the other replica, is over the shared limit');
    assert.equal(r.headers['x-limited-by'], 'fake-rls');
    assert.equal(r.headers['ratelimit-policy'], `"global";q=${LIMIT};w=60`);
    assert.equal(r.headers.ratelimit, '"global";r=0;t=43');
    assert.equal(r.headers['retry-after'], '43');
    assert.notEqual(r.headers['content-length'], '1', 'framing headers from the service are not copied');
    assert.deepEqual(rls.seen.at(-1), { domain: 'edge', descriptors: [[{ key: 'route', value: 'default/limited' }, { key: 'user', value: 'alice' }]] });
    // Another user has its own count.
    assert.equal((await get(a, 'limited.example.com', '/', { 'x-user': 'bob' })).status, 200);
  });

  it('sends no request for a descriptor whose header is absent, as Envoy does', async () => {
    const before = rls.seen.length;
    for (let i = 0; i < LIMIT + 2; i++) assert.equal((await get(replicas[0]!.addresses.http!, 'limited.example.com', '/')).status, 200);
    assert.equal(rls.seen.length, before);
  });

  it('follows failureMode when the service cannot be reached: deny answers 500, allow forwards', async () => {
    const addr = replicas[0]!.addresses.http!;
    const down = await get(addr, 'down.example.com', '/');
    assert.equal(down.status, 500);
    assert.equal(down.body, 'rate limit service failed\n');
    assert.equal((await get(addr, 'open.example.com', '/')).status, 200);
  });

  it('follows failureMode when the service answers an error or no code', async () => {
    const addr = replicas[1]!.addresses.http!;
    assert.equal((await get(addr, 'limited.example.com', '/', { 'x-user': 'fail' })).status, 500);
    assert.equal((await get(addr, 'limited.example.com', '/', { 'x-user': 'unknown' })).status, 500);
  });
});

describe('sluice validate with a global rate limit', () => {
  it('names the file, line and field of each bad setting', async () => {
    const cfg = await ConfigDir.create();
    try {
      await cfg.write('policies.yaml', [trafficPolicy('bad', { rateLimit: { global: { service: 'nowhere', domain: 'edge', descriptors: [[{ key: 'user' }]], failureMode: 'sometimes' } } })]);
      const { code, stdout, stderr } = await runSluice(['validate', cfg.dir]);
      const out = stdout + stderr;
      assert.equal(code, 1, out);
      assert.match(out, /policies\.yaml:\d+: .*spec\.rateLimit\.global\.service: must be host:port/);
      assert.match(out, /policies\.yaml:\d+: .*spec\.rateLimit\.global\.descriptors\[0\]\[0\]: must set exactly one of value, fromHeader, clientAddress, route/);
      assert.match(out, /policies\.yaml:\d+: .*spec\.rateLimit\.global\.failureMode: must be allow or deny/);
    } finally {
      await cfg.cleanup();
    }
  });
});
