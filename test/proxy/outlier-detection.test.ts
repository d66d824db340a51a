// Passive outlier detection (BackendPolicy outlierDetection): an endpoint answering 5xx (or refusing
// connections) consecutive5xx times in a row is ejected from picking for baseEjectionTime, traffic
// goes to the others, and the endpoint comes back when its time is up; at most maxEjectionPercent
// of a cluster is out at once. Served from hand-built snapshots on a Gateway API port.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { OutlierDetection } from '../../src/snapshot/backend-policy.ts';
import type { Cluster, VirtualHost } from '../../src/snapshot/types.ts';
import { eventually, get } from '../support/http.ts';
import { type FlakyUpstream, startFlakyUpstream } from './backend-helpers.ts';
import { freePort, port, portName, startPorts, type PortsUnderTest, vhost } from './gateway-ports-helpers.ts';
import { refusedPort } from '../support/refused-port.ts';

const detection = (o: Partial<OutlierDetection> = {}): OutlierDetection => ({ consecutive5xx: 3, consecutiveGatewayFailure: 0, consecutiveConnectFailure: 0, baseEjectionMs: 2000, maxEjectionPercent: 50, ...o });

function twoEndpoints(name: string, a: number, b: number, outlierDetection: OutlierDetection): Cluster {
  return { name, protocol: 'http1', type: 'static', endpoints: [{ address: '127.0.0.1', port: a }, { address: '127.0.0.1', port: b }], policy: { source: 'default/od', outlierDetection } };
}

/** The host's routes retry a 500 once. */
function retried(vh: VirtualHost): VirtualHost {
  return { ...vh, routes: vh.routes.map((r) => ({ ...r, retry: { attempts: 1, codes: [500], backoffMs: 1 } })) };
}

async function ejections(t: PortsUnderTest, cluster: string): Promise<number> {
  const m = t.metrics.registry.getSingleMetric('sluice_outlier_ejections_total');
  if (m === undefined) return 0;
  return (await m.get()).values.filter((v) => v.labels.cluster === cluster).reduce((a, v) => a + v.value, 0);
}

for (const fastPath of [true, false]) {
  describe(`outlier detection (${fastPath ? 'fast path' : 'node:http'})`, () => {
    let good: FlakyUpstream;
    let bad: FlakyUpstream;
    let t: PortsUnderTest;
    let p: number;
    let refused: number;
    const addr = (): string => `127.0.0.1:${p}`;

    before(async () => {
      good = await startFlakyUpstream('good');
      bad = await startFlakyUpstream('bad');
      t = startPorts({ fastPath });
      p = await freePort();
      refused = refusedPort();
      await t.publish({
        clusters: [
          twoEndpoints('default/pair:80', good.port, bad.port, detection()),
          twoEndpoints('default/both:80', good.port, bad.port, detection({ consecutive5xx: 1, baseEjectionMs: 60_000 })),
          twoEndpoints('default/refused:80', refused, good.port, detection({ consecutive5xx: 0, consecutiveConnectFailure: 2, baseEjectionMs: 60_000 })),
          twoEndpoints('default/retried:80', bad.port, good.port, detection({ consecutive5xx: 2, baseEjectionMs: 60_000 })),
        ],
        ports: [
          port(p, 'HTTP', [
            vhost(portName(p), 'pair.example.com', 'default/pair:80'),
            vhost(portName(p), 'both.example.com', 'default/both:80'),
            vhost(portName(p), 'refused.example.com', 'default/refused:80'),
            retried(vhost(portName(p), 'retried.example.com', 'default/retried:80')),
          ]),
        ],
      });
    });

    beforeEach(() => {
      good.status = bad.status = 200;
    });

    after(async () => {
      await t.stop();
      await good.close();
      await bad.close();
    });

    it('ejects an endpoint after consecutive 5xx, sends its traffic to the others, and takes it back after the ejection time', async () => {
      bad.status = 500;
      const codes: number[] = [];
      for (let i = 0; i < 6; i++) codes.push((await get(addr(), 'pair.example.com', `/${i}`)).status);
      // Round-robin: the bad endpoint got three of the six, its third ejected it.
      assert.deepEqual(codes.filter((c) => c === 500).length, 3);
      assert.equal(await ejections(t, 'default/pair:80'), 1);
      const hitsBefore = bad.hits;
      for (let i = 0; i < 6; i++) assert.equal((await get(addr(), 'pair.example.com', '/ejected')).status, 200);
      assert.equal(bad.hits, hitsBefore, 'no request reached the ejected endpoint');
      const report = t.dp.backends.report(t.dp.router!.snapshot.clusters) as { cluster: string; ejected: { endpoint: string }[] }[];
      assert.deepEqual(report.find((r) => r.cluster === 'default/pair:80')?.ejected.map((e) => e.endpoint), [`http://127.0.0.1:${bad.port}`]);
      bad.status = 200;
      assert.ok(await eventually(async () => (await get(addr(), 'pair.example.com', '/back')).headers['x-upstream'] === 'bad', 10_000), 'the endpoint came back');
    });

    it('ejects at most maxEjectionPercent of the cluster (at least one endpoint)', async () => {
      good.status = bad.status = 500;
      for (let i = 0; i < 6; i++) await get(addr(), 'both.example.com', `/${i}`);
      const report = t.dp.backends.report(t.dp.router!.snapshot.clusters) as { cluster: string; ejected: unknown[] }[];
      assert.equal(report.find((r) => r.cluster === 'default/both:80')?.ejected.length, 1);
    });

    it('counts each retried attempt for its endpoint, so a failing endpoint hidden by retries is ejected too', async () => {
      bad.status = 500;
      for (let i = 0; i < 4; i++) assert.equal((await get(addr(), 'retried.example.com', `/${i}`)).status, 200);
      const hits = bad.hits;
      for (let i = 0; i < 4; i++) assert.equal((await get(addr(), 'retried.example.com', '/after')).status, 200);
      assert.equal(bad.hits, hits, 'the ejected endpoint gets no more attempts');
    });

    it('ejects an endpoint that refuses connections', async () => {
      for (let i = 0; i < 4; i++) await get(addr(), 'refused.example.com', `/${i}`);
      for (let i = 0; i < 4; i++) assert.equal((await get(addr(), 'refused.example.com', '/after')).status, 200);
    });
  });
}
