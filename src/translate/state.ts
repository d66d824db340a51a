// The translator's memory between two translate() calls with one cache: which ingresses are
// served and what each read, the merge (merge.ts), and the statuses and diagnostics as last
// computed. Given the next ResourceSet and its changes (store/types.ts), it finds the ingresses
// to look at again (changed, or reading a changed Service, EndpointSlice list, Endpoints or
// Secret) and updates everything else from them, so an edit costs work in proportion to what it
// touched. The first update sees every ingress as changed: that is the cold translation, and the
// result is the same either way (test/translate/incremental.test.ts checks it).
import type { KIngress, Origin, Rejection, Sourced } from '../api/types.ts';
import type { Cluster, Diagnostic, IngressStatusReport, SnapshotContent, TranslateResult } from '../snapshot/types.ts';
import type { ResourceSet } from '../store/types.ts';
import { findServicePort } from './backends.ts';
import { deepFreeze, type TranslateCache } from './cache.ts';
import { compareStrings, createdTime } from './compare.ts';
import { classMatches, type TranslatedIngress } from './ingress.ts';
import { forEachDependency, type DepKind } from './lookups.ts';
import { MergeState, type MergeChange } from './merge.ts';
import type { TranslateOptions } from './options.ts';
import type { Problem } from './problems.ts';
import { describeOrigin, describeRejection, rejectionSubject, rejectionsByIngress } from './rejections.ts';
import { SortedList } from './sorted.ts';
import { endpointsNotReady, statusReport } from './status.ts';

const DEP_KINDS: readonly DepKind[] = ['services', 'endpointSlicesByService', 'endpoints', 'secrets'];

interface KeyedStatus {
  readonly key: string;
  readonly status: IngressStatusReport;
}

export class TranslateState {
  readonly options: TranslateOptions;
  /** the set the last update translated */
  set: ResourceSet | undefined;
  result: TranslateResult | undefined;
  /** served ingresses by key */
  readonly #served = new Map<string, TranslatedIngress>();
  /** by key: the latest translation of an ingress while it waits for endpoints (served or not, see #choose) */
  readonly #waiting = new Map<string, TranslatedIngress>();
  /** per lookup kind and key: the ingresses whose translation read it (one key, the usual case, or several) */
  readonly #readers: Record<DepKind, Map<string, string | string[]>> = { services: new Map(), endpointSlicesByService: new Map(), endpoints: new Map(), secrets: new Map() };
  readonly #merge = new MergeState();
  readonly #statuses = new SortedList<KeyedStatus>((s) => s.key);
  #rejections: readonly Rejection[] = [];
  #rejected = new Map<string, Rejection[]>();
  #rejectionDiagnostics: readonly Diagnostic[] = [];
  readonly #ingressDiagnostics = new Map<string, readonly Diagnostic[]>();
  readonly #clusterWarnings = new Map<string, Diagnostic>();

  constructor(options: TranslateOptions) {
    this.options = options;
  }

  /** Translates `set`, which must be the first set or lead from the last one (`set.changes.since`). */
  update(set: ResourceSet, cache: TranslateCache): TranslateResult {
    const { changes, touched } = this.#translateChanged(set, cache);
    const outcome = this.#merge.update(changes, cache);

    const rejectionsChanged = set.rejections !== this.#rejections;
    const rejected = rejectionsChanged ? rejectionsByIngress(set.rejections) : this.#rejected;
    const statusKeys = new Set<string>(outcome.conflictsChanged);
    for (const key of touched) statusKeys.add(key);
    if (rejectionsChanged) {
      for (const k of this.#rejected.keys()) statusKeys.add(k);
      for (const k of rejected.keys()) statusKeys.add(k);
      this.#rejections = set.rejections;
      this.#rejected = rejected;
      this.#rejectionDiagnostics = set.rejections.map((r) => ({ level: 'error', subject: rejectionSubject(r), message: describeRejection(r) }));
    }
    const statusesChanged = this.#updateStatuses(statusKeys, set, cache);
    const warningsChanged = this.#updateWarnings(outcome.clustersChanged, set);

    const previous = this.result;
    const m = this.#merge;
    const { lists, diffs } = m.sections();
    const snapshot: SnapshotContent = Object.freeze({ hash: m.contentHash(), ...lists });
    const statuses = previous !== undefined && !statusesChanged ? previous.statuses : Object.freeze(this.#statuses.items.map((s) => s.status));
    const diagnostics =
      previous !== undefined && !statusesChanged && !warningsChanged && !rejectionsChanged ? previous.diagnostics : this.#diagnostics();
    this.set = set;
    // The diffs lead from the last result's lists (the copies `sections` made before), so consumers
    // of the snapshot change work in proportion to the edit (snapshot/change.ts).
    this.result = Object.freeze(previous !== undefined && diffs !== undefined ? { snapshot, statuses, diagnostics, diffs: Object.freeze({ ...diffs, since: previous.snapshot }) } : { snapshot, statuses, diagnostics });
    return this.result;
  }

  /**
   * Translates the ingresses that may have changed. Returns the changes to what is served, and the
   * keys whose served or waiting translation changed (their status is made again).
   */
  #translateChanged(set: ResourceSet, cache: TranslateCache): { changes: MergeChange[]; touched: string[] } {
    let keys: Iterable<string>;
    const ch = set.changes;
    if (this.set === undefined || ch === undefined) {
      keys = set.ingresses.keys();
      // Starting over: ready versions of ingresses that are gone are forgotten.
      for (const key of [...cache.readyVersions.keys()]) if (!set.ingresses.has(key)) cache.readyVersions.delete(key);
    } else {
      const dirty = new Set(ch.ingresses);
      for (const kind of DEP_KINDS) {
        for (const key of ch[kind]) {
          const readers = this.#readers[kind].get(key);
          if (typeof readers === 'string') dirty.add(readers);
          else for (const k of readers ?? []) dirty.add(k);
        }
      }
      keys = dirty;
    }
    const changes: MergeChange[] = [];
    const touched: string[] = [];
    for (const key of keys) {
      const s = set.ingresses.get(key);
      const { served, waiting, from } = this.#choose(key, s, set, cache);
      const old = this.#served.get(key);
      const oldWaiting = this.#waiting.get(key);
      if (served === old && waiting === oldWaiting) continue;
      touched.push(key);
      this.#unread(key, old, cache);
      this.#unread(key, oldWaiting, cache);
      // Both translations are read from: the served one's endpoints may change, and the waiting
      // one is looked at again when its endpoints come.
      this.#read(key, served, cache);
      this.#read(key, waiting, cache);
      if (served === undefined) this.#served.delete(key);
      else this.#served.set(key, served);
      if (waiting === undefined) this.#waiting.delete(key);
      else this.#waiting.set(key, waiting);
      // Precedence goes by the version served (a held version keeps its own creation time).
      if (served !== old) changes.push({ key, after: served && { t: served, rank: { time: createdTime(from as KIngress), key } } });
    }
    return { changes, touched };
  }

  /**
   * Which translation of an ingress to serve. As net-kourier skips a new version whose splits have
   * no ready endpoints and keeps serving what it served before, a latest version that waits for
   * endpoints is not served while the last version served with ready endpoints can be: that one
   * stays served (translated against today's resources, so its endpoints stay current) and the
   * latest one `waiting`. Versions are told apart by Knative's hash: a version that merely lost its
   * endpoints (scaled down) stays served and Ready, and requests get 503. With nothing better to
   * serve (a new ingress, or an older version without endpoints either), the latest is served
   * and also `waiting`, so its status is not Ready. Unlike Kourier, a new ingress is served at
   * once: its other paths work, and the paths without endpoints answer 503 rather than 404.
   */
  #choose(key: string, s: Sourced<KIngress> | undefined, set: ResourceSet, cache: TranslateCache): { served?: TranslatedIngress; waiting?: TranslatedIngress; from?: KIngress } {
    const latest = s !== undefined && classMatches(s.resource, this.options) ? cache.ingress(s, set, this.options) : undefined;
    if (latest === undefined || s === undefined) {
      cache.readyVersions.delete(key);
      return {};
    }
    const ready = { served: latest, from: s.resource };
    if (latest.waiting.length === 0) {
      cache.readyVersions.set(key, s);
      return ready;
    }
    const before = cache.readyVersions.get(key);
    if (before === undefined) return { ...ready, waiting: latest };
    const previous = before.resource === s.resource ? latest : cache.ingress(before, set, this.options);
    if (previous.hash === latest.hash) {
      cache.readyVersions.set(key, s);
      return ready;
    }
    if (previous.waiting.length === 0) return { served: previous, waiting: latest, from: before.resource };
    return { ...ready, waiting: latest };
  }

  #read(key: string, t: TranslatedIngress | undefined, cache: TranslateCache): void {
    if (t === undefined) return;
    forEachDependency(cache.depsOf(t), (kind, dep) => {
      const readers = this.#readers[kind].get(dep);
      if (readers === undefined) this.#readers[kind].set(dep, key);
      else if (typeof readers === 'string') {
        if (readers !== key) this.#readers[kind].set(dep, [readers, key]);
      } else if (readers[readers.length - 1] !== key) readers.push(key);
    });
  }

  #unread(key: string, t: TranslatedIngress | undefined, cache: TranslateCache): void {
    if (t === undefined) return;
    forEachDependency(cache.depsOf(t), (kind, dep) => {
      const readers = this.#readers[kind].get(dep);
      if (readers === undefined) return;
      const rest = typeof readers === 'string' ? [] : readers.filter((k) => k !== key);
      if (rest.length === 0 && (readers === key || typeof readers !== 'string')) this.#readers[kind].delete(dep);
      else if (rest.length === 1) this.#readers[kind].set(dep, rest[0] as string);
      else if (rest.length > 1) this.#readers[kind].set(dep, rest);
    });
  }

  /** Recomputes the statuses (and the ingress diagnostics) of `keys`; true when any changed. */
  #updateStatuses(keys: ReadonlySet<string>, set: ResourceSet, cache: TranslateCache): boolean {
    const removed = new Set<string>();
    const added: KeyedStatus[] = [];
    for (const key of keys) {
      const status = this.#status(key, set, cache);
      const old = this.#statuses.get(key);
      if (old?.status === status) continue;
      if (old !== undefined) removed.add(key);
      if (status !== undefined) added.push({ key, status });
    }
    this.#statuses.apply(removed, added);
    return removed.size > 0 || added.length > 0;
  }

  #status(key: string, set: ResourceSet, cache: TranslateCache): IngressStatusReport | undefined {
    const t = this.#served.get(key);
    const waiting = this.#waiting.get(key);
    const rejections = this.#rejected.get(key);
    if (t === undefined) {
      this.#ingressDiagnostics.delete(key);
      // An ingress rejected before it ever had a good version still gets a status, so users see why.
      // Its class cannot be read from a Rejection, so when the class annotation is required (Kubernetes
      // mode) this is skipped: the status writer must not touch another controller's ingress.
      if (rejections === undefined || set.ingresses.has(key) || this.options.requireClass) return undefined;
      return deepFreeze(neverGoodStatus(key, rejections, this.options));
    }
    const conflicts = this.#merge.conflicts(key);
    const problems = conflicts === undefined ? t.problems : [...t.problems, ...conflicts];
    if (problems.length === 0) this.#ingressDiagnostics.delete(key);
    else this.#ingressDiagnostics.set(key, problems.map((p) => ({ level: 'error', subject: `Ingress ${t.key}`, message: `${p.reason}: ${p.message}` })));
    if (rejections === undefined && conflicts === undefined && waiting === undefined) {
      // The usual case: the status follows from the translation alone, so it is made once.
      let status = cache.statuses.get(t);
      if (status === undefined) cache.statuses.set(t, (status = deepFreeze(servedStatus(t, [...t.problems], this.options))));
      return status;
    }
    return deepFreeze(servedStatus(t, [...invalidSpec(rejections, t.origin), ...t.problems, ...(conflicts ?? [])], this.options, waiting));
  }

  /** Recomputes the no-endpoint warnings of the changed clusters; true when any changed. */
  #updateWarnings(names: ReadonlySet<string>, set: ResourceSet): boolean {
    let changed = false;
    for (const name of names) {
      const had = this.#clusterWarnings.delete(name);
      const cluster = this.#merge.clusters.length > 0 ? findCluster(this.#merge.clusters, name) : undefined;
      const warning = cluster === undefined ? undefined : noEndpointWarning(cluster, set);
      if (warning !== undefined) this.#clusterWarnings.set(name, warning);
      changed ||= had || warning !== undefined;
    }
    return changed;
  }

  #diagnostics(): readonly Diagnostic[] {
    const all: Diagnostic[] = [...this.#rejectionDiagnostics];
    for (const ds of this.#ingressDiagnostics.values()) all.push(...ds);
    all.push(...this.#clusterWarnings.values());
    all.sort((a, b) => compareStrings(a.subject, b.subject) || compareStrings(a.message, b.message));
    return deepFreeze(all);
  }
}

function findCluster(clusters: readonly Cluster[], name: string): Cluster | undefined {
  let lo = 0;
  let hi = clusters.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = clusters[mid] as Cluster;
    if (c.name === name) return c;
    if (c.name < name) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

// `servedFrom` is where the version still being served came from (absent: nothing is served).
function invalidSpec(rejections: readonly Rejection[] | undefined, servedFrom: Origin | undefined): Problem[] {
  if (!rejections) return [];
  const what = rejections.map(describeRejection).join('; ');
  const message = servedFrom
    ? `a document for this ingress was rejected, so the version from ${describeOrigin(servedFrom)} is still served: ${what}`
    : `rejected, nothing is served for it: ${what}`;
  return [{ reason: 'InvalidSpec', message }];
}

// In file mode the gateway serves a snapshot as soon as it is translated, so the load balancer is
// ready; the Kubernetes status writer replaces this condition with the result of its probes
// (status.ts withLoadBalancerCondition). While the latest version is `waiting` for endpoints, the
// status is that of the version served (its hash, which probes answer with, and generation) and
// says the latest one is not ready.
function servedStatus(t: TranslatedIngress, problems: Problem[], options: TranslateOptions, waiting?: TranslatedIngress): IngressStatusReport {
  return statusReport(
    {
      namespace: t.namespace,
      name: t.name,
      hash: t.hash,
      generation: t.generation,
      problems,
      loadBalancer: waiting === undefined ? { type: 'LoadBalancerReady', status: 'True' } : endpointsNotReady(waiting, t),
    },
    options,
  );
}

function neverGoodStatus(key: string, rejections: Rejection[], options: TranslateOptions): IngressStatusReport {
  const [namespace, name] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
  return statusReport(
    {
      namespace,
      name,
      hash: '',
      problems: invalidSpec(rejections, undefined),
      loadBalancer: {
        type: 'LoadBalancerReady',
        status: 'Unknown',
        reason: 'Uninitialized',
        message: 'no valid version of this ingress has been served yet',
      },
    },
    options,
  );
}

// A Service with no ready endpoints is normal (scaled to zero, pods starting) and, as Knative says
// of NetworkConfigured, backend readiness is not part of ingress readiness: only a warning.
function noEndpointWarning(c: Cluster, set: ResourceSet): Diagnostic | undefined {
  // Most clusters have endpoints: skip them before any string work.
  if (c.endpoints.length > 0 || c.type === 'dns') return undefined;
  const colon = c.name.lastIndexOf(':');
  const svc = c.name.slice(0, colon);
  const port = c.name.slice(colon + 1);
  const service = set.services.get(svc);
  // Missing Services and ports are already errors on the ingress; don't repeat them.
  if (!service) return undefined;
  if (!findServicePort(service, /^[0-9]+$/.test(port) ? Number(port) : port)) return undefined;
  return { level: 'warning', subject: `Service ${svc}`, message: `cluster "${c.name}" has no ready endpoints; requests to it get 503` };
}
