// BackendPolicy through `sluice serve` with real backends failing on demand: a flood over
// maxRequests gets 503s, an endpoint answering 5xx is ejected and traffic moves to the healthy one
// and back, an endpoint failing its health check stops receiving traffic and returns when healthy.
// The policies target the Services a Knative Ingress routes to (a revision's Service works alike).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually, get } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type FlakyUpstream, type HeldUpstream, startFlakyUpstream, startHeldUpstream } from '../proxy/backend-helpers.ts';

function backendPolicy(name: string, service: string, spec: Record<string, unknown>): object {
  return { apiVersion: 'sluice.dev/v1alpha1', kind: 'BackendPolicy', metadata: { name, namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { targetRefs: [{ group: '', kind: 'Service', name: service }], ...spec } };
}

interface BackendReport {
  cluster: string;
  policy: string;
  circuitBreakers: Record<string, unknown>;
  ejected: { endpoint: string }[];
  health?: { endpoint: string; healthy: boolean }[];
}

describe('BackendPolicy end to end', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let held: HeldUpstream;
  let a: FlakyUpstream;
  let b: FlakyUpstream;
  let c: FlakyUpstream;
  let d: FlakyUpstream;
  const http = (): string => sluice.addresses.http!;
  const status = async (): Promise<{ backends: BackendReport[]; backendPolicies: { name: string; status: { ancestors: { conditions: { reason: string }[] }[] } }[] }> =>
    (await fetch(`http://${sluice.addresses.admin}/status`)).json() as never;
  const served = async (host: string, n: number): Promise<string[]> => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(String((await get(http(), host, '/')).headers['x-upstream']));
    return out;
  };

  before(async () => {
    held = await startHeldUpstream();
    [a, b, c, d] = await Promise.all(['a', 'b', 'c', 'd'].map((n) => startFlakyUpstream(n)));
    cfg = await ConfigDir.create();
    await cfg.write('backends.yaml', [
      ...backend('flood', [{ ip: '127.0.0.1', port: held.port }]),
      ...backend('pair', [{ ip: '127.0.0.1', port: a.port }, { ip: '127.0.0.1', port: b.port }]),
      ...backend('checked', [{ ip: '127.0.0.1', port: c.port }, { ip: '127.0.0.1', port: d.port }]),
    ]);
    await cfg.write('ingress.yaml', [
      ingress('shop', [
        { hosts: ['flood.example.com'], paths: [{ splits: [{ service: 'flood' }] }] },
        { hosts: ['pair.example.com'], paths: [{ splits: [{ service: 'pair' }] }] },
        { hosts: ['checked.example.com'], paths: [{ splits: [{ service: 'checked' }] }] },
      ]),
    ]);
    await cfg.write('policies.yaml', [
      backendPolicy('flood-limits', 'flood', { circuitBreakers: { maxRequests: 3 } }),
      backendPolicy('pair-outliers', 'pair', { outlierDetection: { consecutive5xx: 2, baseEjectionTime: '3s', maxEjectionPercent: 50 } }),
      backendPolicy('checked-health', 'checked', { healthCheck: { path: '/healthz', interval: '100ms', timeout: '1s', healthyThreshold: 1, unhealthyThreshold: 2 } }),
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  });

  after(async () => {
    held?.release();
    await sluice?.stop();
    await Promise.all([held, a, b, c, d].map((u) => u?.close()));
    await cfg?.cleanup();
  });

  it('accepts the policies and shows each cluster, its limits (unset ones as unlimited) and health in /status', async () => {
    const s = await status();
    for (const p of s.backendPolicies) assert.deepEqual(p.status.ancestors.map((x) => x.conditions[0]!.reason), ['Accepted'], p.name);
    const flood = s.backends.find((x) => x.cluster === 'default/flood:80');
    assert.equal(flood?.policy, 'default/flood-limits');
    assert.equal(flood?.circuitBreakers.maxRequests, 3);
    assert.equal(flood?.circuitBreakers.maxConnections, 'unlimited');
  });

  it('answers a flood over maxRequests with 503 x-envoy-overloaded, counted by reason', async () => {
    const first = Array.from({ length: 3 }, (_, i) => get(http(), 'flood.example.com', `/${i}`));
    await held.holding(3);
    const over = await Promise.all(Array.from({ length: 5 }, () => get(http(), 'flood.example.com', '/over')));
    for (const r of over) {
      assert.equal(r.status, 503);
      assert.equal(r.headers['x-envoy-overloaded'], 'true');
    }
    held.release();
    for (const r of await Promise.all(first)) assert.equal(r.status, 200);
    const metrics = await (await fetch(`http://${sluice.addresses.admin}/metrics`)).text();
    assert.match(metrics, /sluice_upstream_rejections_total\{cluster="default\/flood:80",reason="max_requests"\} 5/);
  });

  it('ejects an endpoint answering 5xx, sends its traffic to the healthy one, and takes it back', async () => {
    b.status = 500;
    await served('pair.example.com', 4);
    const s = await status();
    assert.deepEqual(s.backends.find((x) => x.cluster === 'default/pair:80')?.ejected.map((e) => e.endpoint), [`http://127.0.0.1:${b.port}`]);
    assert.deepEqual(new Set(await served('pair.example.com', 6)), new Set(['a']));
    b.status = 200;
    assert.ok(await eventually(async () => (await served('pair.example.com', 2)).includes('b'), 10_000), 'b is back after its ejection');
  });

  it('stops sending to an endpoint failing its health check, and sends again once it passes', async () => {
    d.health = 503;
    assert.ok(
      await eventually(async () => (await status()).backends.find((x) => x.cluster === 'default/checked:80')?.health?.some((h) => !h.healthy) === true, 10_000),
      'd turned unhealthy',
    );
    const hits = d.hits;
    assert.deepEqual(new Set(await served('checked.example.com', 6)), new Set(['c']));
    assert.equal(d.hits, hits);
    d.health = 200;
    assert.ok(await eventually(async () => (await served('checked.example.com', 2)).includes('d'), 10_000), 'd is back');
  });
});
