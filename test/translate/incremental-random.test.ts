// Property: the incremental path (FileMerge pushing changes -> Store applying them -> translate with
// a cache reusing its state -> the translator's diffs folded over unpublished results as the pipeline
// does -> a RouterBuilder deriving from its last router, LiveOrigins following the diff) gives, after
// every one of a seeded random sequence of file edits, exactly what the whole-state paths give: the
// same files merged at once, a Store fed whole states, a translation of the same set from scratch, a
// router compiled from scratch, origins counted from scratch, and diffs found by comparing lists. The edits cover host conflicts (with creation times),
// duplicates across files, rejected documents (last-good), TLS, endpoint changes, Services coming
// and going, and ingresses of another class.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SourceState } from '../../src/sources/types.ts';
import type { ResourceSet } from '../../src/store/types.ts';
import { FileMerge, mergeParsedFiles } from '../../src/sources/merge.ts';
import { parseConfigText, type ParsedFile } from '../../src/sources/yaml-docs.ts';
import { Store } from '../../src/store/store.ts';
import { TranslateCache } from '../../src/translate/cache.ts';
import { defaultTranslateOptions } from '../../src/translate/options.ts';
import { translate } from '../../src/translate/translate.ts';
import { compileRouter, type Router } from '../../src/proxy/router.ts';
import { RouterBuilder } from '../../src/proxy/router-builder.ts';
import { LiveOrigins, originOf } from '../../src/proxy/live-origins.ts';
import type { SnapshotChange } from '../../src/snapshot/change.ts';
import { compareSorted, type ListDiff } from '../../src/snapshot/list-diff.ts';
import { DiffsSincePublished } from '../../src/snapshot/since-published.ts';
import type { Snapshot, TranslateResult } from '../../src/snapshot/types.ts';
import { mulberry32 } from '../support/prng.ts';

const NS = 'ns';

// A real certificate and key, from the TLS golden scenario.
const TLS_DATA = (() => {
  const path = join(import.meta.dirname, '../fixtures/translate/tls.in.yaml');
  for (const e of parseConfigText(readFileSync(path, 'utf8'), path).entries) {
    if (e.outcome.kind === 'resource' && e.outcome.resource.kind === 'Secret' && e.outcome.resource.data) return e.outcome.resource.data;
  }
  throw new Error(`no Secret with data in ${path}`);
})();
type Rnd = () => number;
const pick = <T>(rnd: Rnd, items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;

function ingressDoc(rnd: Rnd): object {
  const name = pick(rnd, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  const host = () => pick(rnd, ['one.example.com', 'two.example.com', 'one.example.com', `${name}.example.com`, `${name}.${NS}.svc.cluster.local`]);
  const split = (percent?: number) => ({
    serviceNamespace: NS,
    serviceName: pick(rnd, ['s0', 's1', 's2', 's3']),
    servicePort: pick(rnd, [80, 'http', 81]),
    ...(percent !== undefined && { percent }),
  });
  const rules = Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => ({
    hosts: [host(), ...(rnd() < 0.3 ? [host()] : [])],
    visibility: rnd() < 0.3 ? 'ClusterLocal' : 'ExternalIP',
    http: { paths: [{ path: pick(rnd, ['/', '/api']), splits: rnd() < 0.5 ? [split()] : [split(70), split(30)] }] },
  }));
  const metadata: Record<string, unknown> = { name, namespace: NS };
  if (rnd() < 0.5) metadata.creationTimestamp = pick(rnd, ['2024-01-01T00:00:00Z', '2024-06-01T00:00:00Z']);
  if (rnd() < 0.1) metadata.annotations = { 'networking.knative.dev/ingress.class': 'other.ingress.networking.knative.dev' };
  const spec: Record<string, unknown> = { rules, ...(rnd() < 0.2 && { httpOption: 'Redirected' }) };
  if (rnd() < 0.5) spec.tls = [{ hosts: [host()], secretName: pick(rnd, ['cert1', 'cert2']), secretNamespace: NS }];
  // An invalid document for a known name: its last good version keeps serving.
  if (rnd() < 0.08) (rules[0]!.http.paths[0]!.splits as Array<Record<string, unknown>>)[0]!.percent = 250;
  return { apiVersion: 'networking.internal.knative.dev/v1alpha1', kind: 'Ingress', metadata, spec };
}

function backendDoc(rnd: Rnd): object {
  const name = pick(rnd, ['s0', 's1', 's2', 's3']);
  const ip = `10.0.0.${1 + Math.floor(rnd() * 4)}`;
  switch (pick(rnd, ['service', 'service', 'endpoints', 'slice', 'secret'])) {
    case 'service':
      return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS }, spec: { ports: [{ name: pick(rnd, ['http', 'http2']), port: 80, targetPort: 8080 }] } };
    case 'endpoints':
      return { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: NS }, subsets: [{ addresses: [{ ip }], ports: [{ name: 'http', port: 8080 }] }] };
    case 'slice':
      return {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: `${name}-${pick(rnd, ['x', 'y'])}`, namespace: NS, labels: { 'kubernetes.io/service-name': pick(rnd, ['s0', 's1', 's2', 's3']) } },
        addressType: 'IPv4',
        endpoints: [{ addresses: [ip], conditions: { ready: rnd() < 0.8 } }],
        ports: [{ name: 'http', port: 9090 }],
      };
    default:
      return {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'kubernetes.io/tls',
        metadata: { name: pick(rnd, ['cert1', 'cert2']), namespace: NS },
        // A usable pair, or (sometimes) one that is not: InvalidSecret on the ingresses using it.
        data: rnd() < 0.8 ? TLS_DATA : { 'tls.crt': 'bm90IGEgY2VydA==', 'tls.key': 'bm8=' },
      };
  }
}

function fileText(rnd: Rnd): string {
  const docs = Array.from({ length: Math.floor(rnd() * 5) }, () => (rnd() < 0.45 ? ingressDoc(rnd) : backendDoc(rnd)));
  return docs.map((d) => JSON.stringify(d)).join('\n---\n');
}

/** A ResourceSet's content as plain sorted data (ignores map order and `changes`). */
function content(set: ResourceSet): object {
  const sorted = (m: ReadonlyMap<string, unknown>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    ingresses: sorted(set.ingresses),
    services: sorted(set.services),
    endpointSlicesByService: sorted(set.endpointSlicesByService),
    endpoints: sorted(set.endpoints),
    secrets: sorted(set.secrets),
    rejections: set.rejections,
  };
}

/** A copy of a set with plain maps and no history, to translate from scratch. */
function plainCopy(set: ResourceSet): ResourceSet {
  return {
    ingresses: new Map(set.ingresses),
    services: new Map(set.services),
    endpointSlicesByService: new Map(set.endpointSlicesByService),
    endpoints: new Map(set.endpoints),
    secrets: new Map(set.secrets),
    gatewayClasses: new Map(set.gatewayClasses),
    gateways: new Map(set.gateways),
    httpRoutes: new Map(set.httpRoutes),
    grpcRoutes: new Map(set.grpcRoutes),
    referenceGrants: new Map(set.referenceGrants),
    namespaces: new Map(set.namespaces),
    configMaps: new Map(set.configMaps),
    glooUpstreams: new Map(set.glooUpstreams),
    glooUpstreamGroups: new Map(set.glooUpstreamGroups),
    glooVirtualServices: new Map(set.glooVirtualServices),
    glooRouteTables: new Map(set.glooRouteTables),
    glooGateways: new Map(set.glooGateways),
    rejections: set.rejections,
  };
}

/** What a translation serves, without its diffs (they say how it was made, so they depend on history). */
function served(r: TranslateResult): Omit<TranslateResult, 'diffs'> {
  return { snapshot: r.snapshot, statuses: r.statuses, diagnostics: r.diagnostics };
}

/** Every domain of the snapshot routes to its virtual host, with the ingress info and clusters of this snapshot. */
function assertRouterFollows(router: Router, snapshot: Snapshot, step: number): void {
  for (const l of ['external', 'local'] as const) {
    let domains = 0;
    for (const vh of snapshot.listeners[l]) {
      for (const d of vh.domains) {
        domains++;
        const entry = router.hosts[l].get(d);
        assert.equal(entry?.vhost, vh, `step ${step}: ${l} ${d} routes to its virtual host`);
        assert.equal(entry.ingress, snapshot.ingresses.find((i) => i.key === vh.ingress), `step ${step}: ${d} has this snapshot's ingress info`);
        for (const r of entry.routes) {
          for (const s of r.splits) {
            const c = snapshot.clusters.find((x) => x.name === s.cluster?.name);
            if (c !== undefined) assert.equal(s.cluster, c, `step ${step}: ${d} uses this snapshot's cluster ${c.name}`);
          }
        }
      }
    }
    assert.equal(router.hosts[l].size, domains, `step ${step}: no stale ${l} domains`);
  }
  // A derived router equals one compiled from scratch.
  const fresh = compileRouter(snapshot);
  for (const l of ['external', 'local'] as const) {
    assert.deepEqual(new Map(router.hosts[l]), new Map(fresh.hosts[l]), `step ${step}: derived ${l} table = compiled from scratch`);
  }
}

/**
 * The change's diffs keep their contract against what comparing the two snapshots' lists finds:
 * every item that left is in `removed` and nothing there is still served; every item that came is in
 * `added` and everything there is served. Folded diffs (several translations) are exact.
 */
function assertDiffsHold(change: SnapshotChange, exact: boolean, step: number): void {
  const { previous, snapshot, diffs } = change;
  if (previous === undefined || diffs === undefined) return;
  const check = <T>(got: ListDiff<T>, before: readonly T[], after: readonly T[], key: (x: T) => string, what: string) => {
    const want = compareSorted(before, after, key)!;
    const now = new Set(after);
    for (const x of want.removed) assert.ok(got.removed.includes(x), `step ${step}: ${what} ${key(x)} left and is in removed`);
    for (const x of want.added) assert.ok(got.added.includes(x), `step ${step}: ${what} ${key(x)} came and is in added`);
    for (const x of got.removed) assert.ok(!now.has(x), `step ${step}: ${what} ${key(x)} in removed is not served`);
    for (const x of got.added) assert.ok(now.has(x), `step ${step}: ${what} ${key(x)} in added is served`);
    if (exact) assert.equal(got.removed.length + got.added.length, want.removed.length + want.added.length, `step ${step}: ${what} folded diff is exact`);
  };
  const byName = (x: { name: string }) => x.name;
  check(diffs.clusters, previous.clusters, snapshot.clusters, byName, 'cluster');
  check(diffs.external, previous.listeners.external, snapshot.listeners.external, byName, 'external vhost');
  check(diffs.local, previous.listeners.local, snapshot.listeners.local, byName, 'local vhost');
  check(diffs.tls, previous.tls, snapshot.tls, byName, 'certificate');
  check(diffs.ingresses, previous.ingresses, snapshot.ingresses, (i) => i.key, 'ingress info');
}

test('a random sequence of file edits through the incremental path equals the whole-state paths after every edit', () => {
  const rnd = mulberry32(20240611);
  const files = new Map<string, ParsedFile>();
  const merge = new FileMerge();
  const incStore = new Store();
  const wholeStore = new Store();
  const cache = new TranslateCache();
  let translations = 0;
  const seen = { conflicts: 0, lastGood: 0, duplicates: 0, tls: 0, heldBack: 0 };
  cache.onTranslate = () => translations++;
  const paths = Array.from({ length: 10 }, (_, i) => `f${i}.yaml`);
  // The consumer side, as the pipeline and a data plane run it (some results are not published).
  const published = new DiffsSincePublished();
  // Its own generator, so the edit sequence is the one the seed has always given.
  const publishRnd = mulberry32(7);
  const routers = new RouterBuilder();
  const live = new LiveOrigins();
  let previous: Snapshot | undefined;
  let folded = 0;
  let unpublished = 0;
  for (let step = 0; step < 400; step++) {
    // One to three files change per push, as a debounced burst would.
    for (let k = 0, n = 1 + Math.floor(rnd() * 3); k < n; k++) {
      const path = pick(rnd, paths);
      if (rnd() < 0.15) {
        files.delete(path);
        merge.delete(path);
      } else {
        const parsed = parseConfigText(fileText(rnd), path);
        files.set(path, parsed);
        merge.set(path, parsed);
      }
    }
    const state = merge.state();
    const whole: SourceState = mergeParsedFiles(files);
    assert.deepEqual(state.resources, whole.resources, `step ${step}: merged resources`);
    assert.deepEqual(state.rejections, whole.rejections, `step ${step}: merged rejections`);

    const incSet = incStore.update(state);
    const wholeSet = wholeStore.update({ resources: state.resources, rejections: state.rejections });
    assert.deepEqual(content(incSet), content(wholeSet), `step ${step}: store by changes = store by whole states`);

    const before = translations;
    const stateBefore = cache.state;
    // The one history a translation depends on: the last version of each ingress served ready.
    const fresh = new TranslateCache();
    for (const [key, version] of cache.readyVersions) fresh.readyVersions.set(key, version);
    const incremental = translate(incSet, defaultTranslateOptions, cache);
    if (step > 0) assert.equal(cache.state, stateBefore, `step ${step}: the translator went on from its state`);
    assert.ok(translations - before <= 2 * incSet.ingresses.size, 'never more translations than two per ingress (the latest and the one kept)');
    const scratch = translate(plainCopy(incSet), defaultTranslateOptions, fresh);
    assert.deepEqual(served(incremental), served(scratch), `step ${step}: incremental translation = translation from scratch`);
    published.translated(incremental);
    if (publishRnd() < 0.3) {
      unpublished++;
    } else {
      const snapshot: Snapshot = { ...incremental.snapshot, version: step + 1 };
      const change: SnapshotChange = { snapshot, previous, diffs: published.publishing() };
      const wasFolded = change.diffs !== undefined && change.diffs !== incremental.diffs;
      if (wasFolded) folded++;
      assertDiffsHold(change, wasFolded, step);
      assertRouterFollows(routers.next(change), snapshot, step);
      live.follow(change);
      const fresh = new LiveOrigins();
      fresh.update(snapshot.clusters.slice());
      for (const o of new Set([...(previous?.clusters ?? []), ...snapshot.clusters].flatMap((c) => c.endpoints.map(originOf)))) {
        assert.equal(live.has(o), fresh.has(o), `step ${step}: has(${o})`);
        assert.equal(live.hasH2c(o), fresh.hasH2c(o), `step ${step}: hasH2c(${o})`);
      }
      previous = snapshot;
    }
    const statuses = JSON.stringify(incremental.statuses);
    seen.conflicts += Number(incremental.diagnostics.some((d) => d.message.startsWith('HostConflict')));
    seen.lastGood += Number(statuses.includes('is still served'));
    seen.duplicates += Number(state.rejections.some((r) => r.errors[0]?.message.startsWith('duplicate')));
    seen.tls += Number(incremental.snapshot.tls.length > 0);
    seen.heldBack += Number(statuses.includes('the previous version'));
  }
  // The sequence must have exercised what it is meant to (a guard against a generator that drifts).
  for (const [what, n] of Object.entries({ ...seen, folded, unpublished })) assert.ok(n >= 20, `${what} seen in only ${n} steps`);
});
