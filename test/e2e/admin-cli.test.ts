// The admin endpoint and the command line: readiness, status, config, metrics, validate, bad flags.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';
import { runSluice, type SluiceProcess, startSluice } from '../support/sluice.ts';
import { get, getJson } from '../support/http.ts';

describe('admin endpoint', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let up: Upstream;

  before(async () => {
    up = await startUpstream('up');
    cfg = await ConfigDir.create();
    await cfg.write('a.yaml', [
      ...backend('up', [{ ip: '127.0.0.1', port: up.port }]),
      ingress('shop', [{ hosts: ['shop.example.com'], paths: [{ splits: [{ service: 'up' }] }] }], { namespace: 'default' }),
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--gateway-service', 'gw/pub', '--local-gateway-service', 'gw/priv', '--cluster-domain', 'corp.internal']);
  });
  after(async () => {
    await sluice?.stop();
    await up?.close();
    await cfg?.cleanup();
  });

  it('GET /ready answers 200 once serving', async () => {
    const r = await get(sluice.addresses.admin!, 'admin', '/ready');
    assert.equal(r.status, 200);
  });

  it('GET /status lists each ingress with hash, conditions and load balancers', async () => {
    const { json } = await getJson<{ ingresses: Array<Record<string, unknown>> }>(sluice.addresses.admin!, 'admin', '/status');
    const shop = json.ingresses.find((i) => i.name === 'shop')!;
    assert.equal(shop.namespace, 'default');
    assert.match(String(shop.hash), /^[0-9a-f]{64}$/);
    const conds = shop.conditions as Array<{ type: string; status: string }>;
    for (const t of ['NetworkConfigured', 'LoadBalancerReady', 'Ready']) assert.equal(conds.find((c) => c.type === t)?.status, 'True', t);
    assert.deepEqual(shop.publicLoadBalancer, { ingress: [{ domainInternal: 'pub.gw.svc.corp.internal' }] });
    assert.deepEqual(shop.privateLoadBalancer, { ingress: [{ domainInternal: 'priv.gw.svc.corp.internal' }] });
  });

  it('GET /config returns the snapshot with its version', async () => {
    const { json } = await getJson<{ version: number; listeners: { external: Array<{ domains: string[] }> }; clusters: Array<{ name: string }> }>(sluice.addresses.admin!, 'admin', '/config');
    assert.ok(json.version >= 1);
    assert.deepEqual(json.listeners.external.flatMap((v) => v.domains), ['shop.example.com']);
    assert.ok(json.clusters.some((c) => c.name.startsWith('default/up:')));
  });

  it('GET /metrics counts requests by listener, ingress and code', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await get(sluice.addresses.http!, 'shop.example.com')).status, 200);
    assert.equal((await get(sluice.addresses.http!, 'unknown.example.com')).status, 404);
    const text = (await get(sluice.addresses.admin!, 'admin', '/metrics')).body;
    const count = (labels: string) => Number(new RegExp(`sluice_requests_total\\{${labels}\\} (\\d+)`).exec(text)?.[1] ?? 0);
    assert.equal(count('listener="http",ingress="default/shop",code="200"'), 3);
    assert.equal(count('listener="http",ingress="",code="404"'), 1);
    assert.match(text, /sluice_request_duration_seconds_bucket\{le="0\.005",listener="http",ingress="default\/shop"\} \d+/);
    assert.match(text, /sluice_snapshot_version [1-9]/);
    assert.match(text, /sluice_config_reloads_total [1-9]/);
    assert.match(text, /sluice_config_rejects_total \d+/);
    assert.match(text, /sluice_upstream_errors_total/);
  });

  it('answers 404 for unknown admin paths', async () => {
    assert.equal((await get(sluice.addresses.admin!, 'admin', '/nope')).status, 404);
  });
});

describe('command line', () => {
  it('validate exits 0 for a clean directory and 1 listing every error', async () => {
    const cfg = await ConfigDir.create();
    try {
      await cfg.write('ok.yaml', [...backend('x', [{ ip: '127.0.0.1', port: 1 }]), ingress('x', [{ hosts: ['x.example.com'], paths: [{ splits: [{ service: 'x' }] }] }])]);
      const clean = await runSluice(['validate', cfg.dir]);
      assert.equal(clean.code, 0, clean.stderr + clean.stdout);
      const bad = ingress('bad', [{ hosts: ['b.example.com'], paths: [{ path: 'no-slash', splits: [{ service: 'x', percent: 50 }, { service: 'y', percent: 20 }] }] }]);
      await cfg.write('bad.yaml', [bad]);
      await cfg.write('broken.yaml', 'a: [\n');
      const r = await runSluice(['validate', cfg.dir]);
      assert.equal(r.code, 1);
      const out = r.stdout + r.stderr;
      assert.match(out, /bad\.yaml/);
      assert.match(out, /spec\.rules\[0\]\.http\.paths\[0\]\.path/);
      assert.match(out, /percent/);
      assert.match(out, /broken\.yaml/);
      assert.doesNotMatch(out, / {4}at /, 'no stack trace');
    } finally {
      await cfg.cleanup();
    }
  });

  it('rejects bad flags and unusable addresses with one clear line', async () => {
    const cfg = await ConfigDir.create();
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const busyPort = (busy.address() as net.AddressInfo).port;
    try {
      const cases: Array<[string[], RegExp]> = [
        [['serve', '--config', cfg.dir, '--http', 'nonsense'], /--http: "nonsense" is not a host:port/],
        [['serve', '--config', cfg.dir, '--http', `127.0.0.1:${busyPort}`, '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0'], /--http: cannot listen on 127\.0\.0\.1:\d+: address already in use/],
        [['serve', '--config', '/does/not/exist', '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0'], /\/does\/not\/exist/],
        [['serve', '--config', cfg.dir, '--header-timeout', '-3'], /--header-timeout/],
        [['serve', '--bogus'], /unknown option '--bogus'/],
        [['serve'], /--config DIR or --kubernetes/],
      ];
      // Each case is a child process; run them side by side to keep the file quick on 2 cores.
      const results = await Promise.all(cases.map(([args]) => runSluice(args)));
      for (const [i, [args, want]] of cases.entries()) {
        const r = results[i]!;
        assert.notEqual(r.code, 0, args.join(' '));
        assert.match(r.stderr, want, args.join(' '));
        assert.equal(r.stderr.trim().split('\n').length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
      }
    } finally {
      busy.close();
      await cfg.cleanup();
    }
  });
});
