// Two data planes in one process (two gateways, or a test beside a gateway) never influence each
// other: each derives its next router from its own previous one, with the diffs its own feed
// handed it. Regression: a module-level "last router" in router.ts made a plane derive from
// whichever plane swapped last, recompiling every host it had already compiled.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Endpoints, KIngress, Service, Sourced } from '../../src/api/types.ts';
import { silentLogger } from '../../src/log.ts';
import { Pipeline } from '../../src/pipeline.ts';
import { DataPlane } from '../../src/proxy/dataplane.ts';
import { Metrics } from '../../src/metrics.ts';
import { compileRouter, type Router } from '../../src/proxy/router.ts';
import { Upstreams } from '../../src/proxy/upstreams.ts';
import type { Source, SourceState } from '../../src/sources/types.ts';
import { defaultTranslateOptions } from '../../src/translate/options.ts';

const APPS = 12;

/** A source whose states the test pushes by hand. */
class HandSource implements Source {
  #push: ((s: SourceState) => void) | undefined;
  readonly #first: SourceState;
  constructor(first: SourceState) {
    this.#first = first;
  }
  start(push: (s: SourceState) => void): Promise<void> {
    this.#push = push;
    push(this.#first);
    return Promise.resolve();
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
  push(state: SourceState): void {
    this.#push?.(state);
  }
}

const at = (resource: Sourced['resource'], i: number): Sourced => ({ resource, origin: { file: `app-${i}.yaml` } });

function ingress(i: number, host: string): KIngress {
  return {
    apiVersion: 'networking.internal.knative.dev/v1alpha1',
    kind: 'Ingress',
    metadata: { name: `app-${i}`, namespace: 'ns' },
    spec: { rules: [{ hosts: [host], visibility: 'ExternalIP', http: { paths: [{ path: '/', splits: [{ serviceNamespace: 'ns', serviceName: `app-${i}`, servicePort: 80 }] }] } }] },
  };
}
const service = (i: number): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: `app-${i}`, namespace: 'ns' }, spec: { ports: [{ name: 'http', port: 80 }] } });
const endpoints = (i: number, ip: string): Endpoints => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name: `app-${i}`, namespace: 'ns' },
  subsets: [{ addresses: [{ ip }], ports: [{ name: 'http', port: 8080 }] }],
});

/**
 * One plane's configuration: the same host names as the other plane's (so the virtual hosts and
 * clusters have the same names), but its own backends (`net`: 10.<net>.0.i). Unchanged resources
 * keep their objects from one state to the next, as every source keeps them.
 */
class Config {
  readonly #apps: Sourced[][] = [];
  constructor(net: number) {
    for (let i = 0; i < APPS; i++) this.#apps.push([at(ingress(i, `app-${i}.example.com`), i), at(service(i), i), at(endpoints(i, `10.${net}.0.${i}`), i)]);
  }
  host(i: number): string {
    return (this.#apps[i]![0]!.resource as KIngress).spec.rules![0]!.hosts![0]!;
  }
  setHost(i: number, host: string): void {
    this.#apps[i]![0] = at(ingress(i, host), i);
  }
  setIp(i: number, ip: string): void {
    this.#apps[i]![2] = at(endpoints(i, ip), i);
  }
  state(): SourceState {
    return { resources: this.#apps.flat(), rejections: [] };
  }
}

/** The plane routes every host of its own snapshot exactly as a router compiled from scratch does. */
function assertRoutesOwnSnapshot(plane: DataPlane, pipeline: Pipeline, what: string): Router {
  const router = plane.router!;
  const snapshot = pipeline.feed.current()!;
  assert.equal(router.snapshot, snapshot, `${what}: the router is of this plane's snapshot`);
  const fresh = compileRouter(snapshot);
  assert.deepEqual([...router.hosts.external.keys()].sort(), [...fresh.hosts.external.keys()].sort(), `${what}: the same hosts`);
  for (const [host, entry] of fresh.hosts.external) {
    const got = router.hosts.external.get(host)!;
    assert.equal(got.vhost, entry.vhost, `${what}: ${host} routes to this plane's virtual host`);
    assert.deepEqual(got.routes[0]!.splits[0]!.cluster, entry.routes[0]!.splits[0]!.cluster, `${what}: ${host} goes to this plane's backend`);
  }
  return router;
}

test('two data planes fed interleaved snapshot sequences each route by their own and derive from their own router', async () => {
  const one = new Config(1);
  const two = new Config(2);
  const sources = [new HandSource(one.state()), new HandSource(two.state())];
  const pipelines = sources.map((s) => new Pipeline(s, defaultTranslateOptions, silentLogger()));
  const planes = pipelines.map((p) => new DataPlane(p.feed, new Upstreams(), new Metrics(), silentLogger()));
  try {
    for (const p of pipelines) await p.start();
    let routers = planes.map((plane, k) => assertRoutesOwnSnapshot(plane, pipelines[k]!, `plane ${k} start`));
    const configs = [one, two];
    // Each step edits one app of one plane: new endpoints, or a new host. Planes alternate.
    const edits: Array<[plane: number, app: number, kind: 'ip' | 'host']> = [
      [0, 3, 'ip'],
      [1, 5, 'host'],
      [0, 7, 'host'],
      [1, 2, 'ip'],
      [0, 3, 'host'],
      [1, 9, 'ip'],
    ];
    for (const [step, [k, app, kind]] of edits.entries()) {
      const cfg = configs[k]!;
      const hostBefore = cfg.host(app);
      if (kind === 'ip') cfg.setIp(app, `10.${k + 1}.1.${step}`);
      else cfg.setHost(app, `moved-${step}.example.com`);
      sources[k]!.push(cfg.state());
      const what = `step ${step} (plane ${k}, app ${app}, ${kind})`;
      const next = assertRoutesOwnSnapshot(planes[k]!, pipelines[k]!, what);
      // Derived from this plane's own previous router: every host the edit did not touch keeps
      // the entry compiled before (nothing of the other plane's router is in it).
      const before = routers[k]!;
      for (const [host, entry] of next.hosts.external) {
        if (host === cfg.host(app) || host === hostBefore) continue;
        assert.ok(entry === before.hosts.external.get(host), `${what}: ${host} keeps its compiled entry`);
      }
      // The other plane did not move.
      const other = 1 - k;
      assert.equal(planes[other]!.router, routers[other], `${what}: the other plane's router is untouched`);
      assertRoutesOwnSnapshot(planes[other]!, pipelines[other]!, `${what}, other plane`);
      routers = routers.map((r, j) => (j === k ? next : r));
    }
  } finally {
    for (const plane of planes) plane.stop();
    for (const p of pipelines) await p.stop();
    for (const plane of planes) {
      plane.fast.close();
      await plane.upstreams.close();
    }
  }
});
