// Fault filters (IR `fault`) as compiled for the data plane and for Envoy: values that cannot work
// are reported and left out (never a crash, never a route Envoy refuses), percents are clamped,
// and Envoy's fault filter is in the chain, disabled, only when some route injects faults.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileFault, fires } from '../../src/proxy/fault.ts';
import type { Route, Snapshot } from '../../src/snapshot/types.ts';
import { buildResources } from '../../src/xds/resources.ts';
import { route } from './ir-helpers.ts';

type Obj = Record<string, unknown>;

describe('fault filters on the data plane', () => {
  it('fire by the split roll: 0% never, 100% always, 30% below a roll of 30', () => {
    assert.equal(fires(0, 0), false);
    assert.equal(fires(100, 99.99), true);
    assert.equal(fires(30, 29.9), true);
    assert.equal(fires(30, 30), false);
  });

  it('report and leave out an abort status outside 200..599 and a delay that is not a positive number of ms', () => {
    const problems: string[] = [];
    const report = (p: string) => problems.push(p);
    assert.equal(compileFault({ type: 'fault', abort: { percent: 100, status: 99 } }, report), undefined);
    assert.equal(compileFault({ type: 'fault', delay: { percent: 100, ms: -5 } }, report), undefined);
    assert.equal(compileFault({ type: 'fault', delay: { percent: 100, ms: Number.NaN } }, report), undefined);
    assert.equal(compileFault({ type: 'fault', abort: { percent: Number.NaN, status: 503 } }, report), undefined);
    assert.equal(problems.length, 4, problems.join('\n'));
    assert.match(problems[0]!, /abort status 99 is not 200\.\.599/);
  });

  it('clamp percents to 0..100 and keep what can fire', () => {
    const f = compileFault({ type: 'fault', abort: { percent: 250, status: 418 }, delay: { percent: 0, ms: 10 } }, assert.fail);
    assert.deepEqual(f, { abort: { percent: 100, reply: { status: 418, headers: [['content-type', 'text/plain']], body: 'fault filter abort' } }, delay: undefined });
  });
});

function resourcesOf(routes: Route[]) {
  const snapshot: Snapshot = {
    version: 1, hash: 'h', ports: [], tls: [], ingresses: [],
    clusters: [{ name: 'a', protocol: 'http1', type: 'static', endpoints: [{ address: '127.0.0.1', port: 1 }] }],
    listeners: { external: [{ name: 'v', domains: ['h.example.com'], ingress: 'x', httpOption: 'Enabled', routes }], local: [] },
  };
  return buildResources(snapshot, { externalAddress: '0.0.0.0:8080', externalTlsAddress: '0.0.0.0:8443', localAddress: '0.0.0.0:8081' });
}

function filterNames(res: ReturnType<typeof resourcesOf>): string[] {
  const listener = res.listener.find((l) => l.name === 'external')!.resource as Obj;
  const hcm = ((((listener.filter_chains as Obj[])[0]!.filters as Obj[])[0]!.typed_config as Obj).http_filters as Obj[]);
  return hcm.map((f) => `${f.name}${f.disabled ? ' (disabled)' : ''}`);
}

const perFilter = (res: ReturnType<typeof resourcesOf>, i = 0) =>
  (((res.route.find((r) => r.name === 'external')!.resource.virtual_hosts as Obj[])[0]!.routes as Obj[])[i]!.typed_per_filter_config as Obj | undefined);

describe('fault filters through xDS', () => {
  it("put Envoy's fault filter in the chain, disabled, only when a route injects faults", () => {
    assert.deepEqual(filterNames(resourcesOf([route({ splits: [{ cluster: 'a', weight: 1, filters: [] }] })])), ['envoy.filters.http.cors', 'envoy.filters.http.router']);
    const faulty = resourcesOf([route({ filters: [{ type: 'fault', abort: { percent: 12.5, status: 503 }, delay: { percent: 100, ms: 1500 } }], splits: [{ cluster: 'a', weight: 1, filters: [] }] })]);
    assert.deepEqual(filterNames(faulty), ['envoy.filters.http.cors', 'envoy.filters.http.fault (disabled)', 'envoy.filters.http.router']);
    const config = perFilter(faulty)?.['envoy.filters.http.fault'] as Obj;
    assert.deepEqual(
      { abort: config.abort, delay: config.delay },
      { abort: { http_status: 503, percentage: { numerator: 125_000, denominator: 'MILLION' } }, delay: { fixed_delay: { seconds: 1, nanos: 500_000_000 }, percentage: { numerator: 100, denominator: 'HUNDRED' } } },
    );
  });

  it('leave out faults that cannot fire, and faults on routes that answer themselves', () => {
    assert.equal(filterNames(resourcesOf([route({ filters: [{ type: 'fault', abort: { percent: 0, status: 503 } }] })])).length, 2);
    const direct = resourcesOf([route({ splits: [], filters: [{ type: 'fault', abort: { percent: 100, status: 503 } }, { type: 'direct-response', status: 200 }] })]);
    assert.equal(perFilter(direct), undefined);
  });
});
