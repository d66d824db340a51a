// The admin status page: `/ui` is one self-contained document whose only script and style are
// allowed by hash, and `/ui/data` has routes with their splits and live rates, objects with their
// state and the reason when not Ready, configuration versions with what changed, rejected documents.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createAdminServer } from '../../src/admin/server.ts';
import { uiRoutes } from '../../src/admin/ui-data.ts';
import { summarizeChange } from '../../src/admin/ui-diff.ts';
import { LiveStats, quantile } from '../../src/admin/ui-stats.ts';
import type { Rejection } from '../../src/api/types.ts';
import { Metrics } from '../../src/metrics.ts';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import type { Cluster, ObjectStatus, Route, Snapshot } from '../../src/snapshot/types.ts';

function route(ingress: string, splits: Array<[string, number]>): Route {
  return { ingress, path: { type: 'prefix', value: '/' }, headers: [], query: [], filters: [], splits: splits.map(([cluster, weight]) => ({ cluster, weight, filters: [] })) };
}
const cluster = (name: string, port = 8080): Cluster => ({ name, protocol: 'http1', type: 'static', endpoints: [{ address: '127.0.0.1', port }] });

function snapshot(version: number, routes: Route[], clusters: Cluster[]): Snapshot {
  return {
    version,
    hash: `h${version}`,
    listeners: { external: [{ name: 'vh', domains: ['a.example.com'], ingress: 'default/a', httpOption: 'Enabled', routes }], local: [] },
    ports: [],
    clusters,
    tls: [{ name: 'default/tls', hosts: ['a.example.com'], certChain: 'CERT', privateKey: '-----BEGIN PRIVATE KEY----- secret' }],
    ingresses: [],
  };
}

const result = { snapshot: snapshot(0, [], []), statuses: [], diagnostics: [] };

describe('admin /ui and /ui/data', () => {
  const feed = new SettableFeed();
  const metrics = new Metrics();
  let rejections: Rejection[] = [];
  const objects: ObjectStatus[] = [
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', namespace: 'default', name: 'web', generation: 1, status: { parents: [{ parentRef: { name: 'gw' }, controllerName: 'x', conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted' }, { type: 'ResolvedRefs', status: 'False', reason: 'BackendNotFound', message: 'Service default/nope not found' }] }] } },
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', namespace: 'default', name: 'gw', generation: 1, status: { conditions: [{ type: 'Accepted', status: 'True' }, { type: 'Programmed', status: 'True' }] } },
    { apiVersion: 'gloo.solo.io/v1', kind: 'Upstream', namespace: 'gloo-system', name: 'petstore', generation: 1, status: { statuses: { 'gloo-system': { state: 'Rejected', reason: 'no such Service', reportedBy: 'gloo' } } } },
  ];
  const server = createAdminServer({
    feed,
    metrics,
    rejections: () => rejections,
    objectStatuses: () => objects,
    statuses: () => [{ namespace: 'default', name: 'a', hash: 'x', conditions: [{ type: 'Ready', status: 'False', reason: 'ServiceNotFound', message: 'no Service default/a' }], publicLoadBalancer: { ingress: [] }, privateLoadBalancer: { ingress: [] } }],
  });
  let base = '';

  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('serves one self-contained page: no external asset, its inline script and style allowed by hash only', async () => {
    const res = await fetch(`${base}/ui`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    const html = await res.text();
    assert.doesNotMatch(html, /\s(src|href)=/i, 'no external script, style or image');
    const csp = res.headers.get('content-security-policy') ?? '';
    const script = /<script>([\s\S]*)<\/script>/.exec(html)![1]!;
    const style = /<style>([\s\S]*)<\/style>/.exec(html)![1]!;
    const hash = (t: string) => `'sha256-${createHash('sha256').update(t).digest('base64')}'`;
    assert.match(csp, /default-src 'none'/);
    assert.ok(csp.includes(`script-src ${hash(script)};`), csp);
    assert.ok(csp.includes(`style-src ${hash(style)};`), csp);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  });

  it('lists every object with its state, and the reason when not Ready', async () => {
    feed.publish(snapshot(1, [route('default/a', [['default/a-1:80', 90], ['default/a-2:80', 10]])], [cluster('default/a-1:80'), cluster('default/a-2:80')]), result);
    const d = (await (await fetch(`${base}/ui/data`)).json()) as { objects: Array<{ kind: string; name: string; state: string; reason?: string }> };
    const by = (kind: string) => d.objects.find((o) => o.kind === kind)!;
    assert.deepEqual([by('Ingress').state, by('Ingress').reason], ['NotReady', 'Ready False: ServiceNotFound: no Service default/a']);
    assert.deepEqual([by('HTTPRoute').state, by('HTTPRoute').reason], ['NotReady', 'Gateway gw: ResolvedRefs False: BackendNotFound: Service default/nope not found']);
    assert.equal(by('Gateway').state, 'Ready');
    assert.deepEqual([by('Upstream').state, by('Upstream').reason], ['NotReady', 'Rejected: no such Service']);
  });

  it('shows each route with its splits and live rates from the metrics, and never a private key', async () => {
    metrics.request('http', 'default/a', 200, 0.004);
    metrics.upstreamRequest('default/a-1:80', 200);
    await fetch(`${base}/ui/data`);
    for (let i = 0; i < 9; i++) metrics.request('http', 'default/a', 200, 0.004);
    metrics.request('http', 'default/a', 503, 0.2);
    for (let i = 0; i < 4; i++) metrics.upstreamRequest('default/a-1:80', 200);
    const text = await (await fetch(`${base}/ui/data`)).text();
    assert.doesNotMatch(text, /PRIVATE KEY|CERT/);
    const d = JSON.parse(text) as { routes: Array<{ name: string; rps: number; errorsPerSecond: number; p50: number; p99: number; splits: Array<{ cluster: string; percents: number[]; rps: number }> }> };
    const r = d.routes.find((x) => x.name === 'default/a')!;
    assert.deepEqual(r.splits.map((s) => [s.cluster, s.percents]), [['default/a-1:80', [90]], ['default/a-2:80', [10]]]);
    assert.ok(r.rps > 0 && r.errorsPerSecond > 0 && r.errorsPerSecond < r.rps, JSON.stringify(r));
    assert.ok(r.p50 > 0.0025 && r.p50 <= 0.005, `p50 ${r.p50}`);
    assert.ok(r.p99 > 0.1 && r.p99 <= 0.25, `p99 ${r.p99}`);
    assert.ok(r.splits[0]!.rps > 0 && r.splits[1]!.rps === 0);
  });

  it('keeps the configuration versions with the routes and clusters added, removed and changed', async () => {
    feed.publish(snapshot(2, [route('default/a', [['default/a-1:80', 100]]), route('HTTPRoute default/web', [['default/b:80', 1]])], [cluster('default/a-1:80', 9090), cluster('default/b:80')]), result);
    const d = (await (await fetch(`${base}/ui/data`)).json()) as { version: number; versions: Array<{ version: number; changes: { routes: Record<string, string[]>; clusters: Record<string, string[]> } }> };
    assert.equal(d.version, 2);
    assert.deepEqual(d.versions.map((v) => v.version), [2, 1]);
    const c = d.versions[0]!.changes;
    assert.deepEqual([c.routes.added, c.routes.removed, c.routes.changed], [['HTTPRoute default/web'], [], ['default/a']]);
    assert.deepEqual([c.clusters.added, c.clusters.removed, c.clusters.changed], [['default/b:80'], ['default/a-2:80'], ['default/a-1:80']]);
  });

  it('lists rejected documents with file, line and field, names as data', async () => {
    rejections = [{ kind: 'Ingress', namespace: 'default', name: '<script>alert(1)</script>', origin: { file: '/cfg/bad.yaml', doc: 0 }, line: 7, errors: [{ path: 'spec.rules[0].hosts', message: 'must not be empty', line: 7 }] }];
    const d = (await (await fetch(`${base}/ui/data`)).json()) as { rejected: Array<Record<string, unknown>> };
    assert.deepEqual(d.rejected, [{ file: '/cfg/bad.yaml', doc: 0, line: 7, kind: 'Ingress', namespace: 'default', name: '<script>alert(1)</script>', errors: [{ path: 'spec.rules[0].hosts', message: 'must not be empty', line: 7 }] }]);
  });
});

describe('status page helpers', () => {
  it('interpolates quantiles within buckets as histogram_quantile does', () => {
    const bounds = [0.1, 0.5, 1, Number.POSITIVE_INFINITY];
    assert.ok(Math.abs(quantile(0.5, bounds, [0, 10, 10, 10])! - 0.3) < 1e-9);
    assert.equal(quantile(0.99, bounds, [0, 0, 0, 5]), 1, 'beyond the last bound: that bound');
    assert.equal(quantile(0.5, bounds, [0, 0, 0, 0]), null);
  });

  it('rates come from the sample a window back, not from the start', async () => {
    let now = 0;
    const stats = new LiveStats(5_000, () => now);
    const m = new Metrics();
    for (let t = 0; t <= 20; t++) {
      now = t * 1000;
      // 10 requests a second until 10 s, then 2 a second.
      for (let i = 0; i < (t <= 10 ? 10 : 2); i++) m.request('http', 'r', 200, 0.001);
      const rates = stats.update(await m.registry.getMetricsAsJSON());
      if (t === 20) assert.equal(rates.routes.get('r')!.rps, 2);
    }
  });

  it('keeps a bounded number of samples however often the page is polled', async () => {
    let now = 0;
    const stats = new LiveStats(5_000, () => now);
    const json = await new Metrics().registry.getMetricsAsJSON();
    for (let i = 0; i < 10_000; i++) {
      now = i;
      stats.update(json);
    }
    assert.ok(stats.sampleCount <= 5_000 / 250 + 2, `${stats.sampleCount} samples`);
  });

  it('lists a split once per route object with each share it has (a Knative tag route adds its 100%)', () => {
    const s = snapshot(1, [route('default/a', [['default/a-2:80', 100]]), route('default/a', [['default/a-1:80', 90], ['default/a-2:80', 10]])], [cluster('default/a-1:80'), cluster('default/a-2:80')]);
    const [r] = uiRoutes(s, { routes: new Map(), clusters: new Map() });
    assert.deepEqual(r!.splits.map((x) => [x.cluster, x.percents]), [['default/a-2:80', [100, 10]], ['default/a-1:80', [90]]]);
  });

  it('a first version adds everything; identical content changes nothing', () => {
    const a = snapshot(1, [route('x', [['c', 1]])], [cluster('c')]);
    const first = summarizeChange(undefined, a);
    assert.deepEqual([first.routes.added, first.clusters.added], [['x'], ['c']]);
    const same = summarizeChange(a, snapshot(2, [route('x', [['c', 1]])], [cluster('c')]));
    assert.deepEqual(same, { routes: { added: [], removed: [], changed: [] }, clusters: { added: [], removed: [], changed: [] } });
  });
});
