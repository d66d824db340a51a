// The translator's memory between two translate() calls with one cache: which ingresses are
// served and what each read, the merge (merge.ts), and the statuses and diagnostics as last
// computed. Given the next ResourceSet and its changes (store/types.ts), it finds the ingresses
// to look at again (changed, or reading a changed Service, EndpointSlice list, Endpoints or
// Secret) and updates everything else from them, so an edit costs work in proportion to what it
// touched. The first update sees every ingress as changed: that is the cold translation, and the
// result is the same either way (test/translate/incremental.test.ts checks it).
import type { KIngress, Origin, Rejection } from '../api/types.ts';
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
import { statusReport } from './status.ts';

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
    const changes = this.#translateChanged(set, cache);
    const outcome = this.#merge.update(changes, cache);

    const rejectionsChanged = set.rejections !== this.#rejections;
    const rejected = rejectionsChanged ? rejectionsByIngress(set.rejections) : this.#rejected;
    const statusKeys = new Set<string>(outcome.conflictsChanged);
    for (const c of changes) statusKeys.add(c.key);
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
    const body = m.sections();
    const snapshot: SnapshotContent = Object.freeze({ hash: m.contentHash(), ...body });
    const statuses = previous !== undefined && !statusesChanged ? previous.statuses : Object.freeze(this.#statuses.items.map((s) => s.status));
    const diagnostics =
      previous !== undefined && !statusesChanged && !warningsChanged && !rejectionsChanged ? previous.diagnostics : this.#diagnostics();
    this.set = set;
    this.result = Object.freeze({ snapshot, statuses, diagnostics });
    return this.result;
  }

  /** Translates the ingresses that may have changed; returns those whose translation did. */
  #translateChanged(set: ResourceSet, cache: TranslateCache): MergeChange[] {
    let keys: Iterable<string>;
    const ch = set.changes;
    if (this.set === undefined || ch === undefined) keys = set.ingresses.keys();
    else {
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
    const out: MergeChange[] = [];
    for (const key of keys) {
      const s = set.ingresses.get(key);
      const t = s !== undefined && classMatches(s.resource, this.options) ? cache.ingress(s, set, this.options) : undefined;
      const old = this.#served.get(key);
      if (t === old) continue;
      if (old !== undefined) this.#unread(key, old, cache);
      if (t === undefined) this.#served.delete(key);
      else {
        this.#served.set(key, t);
        forEachDependency(cache.depsOf(t), (kind, dep) => {
          const readers = this.#readers[kind].get(dep);
          if (readers === undefined) this.#readers[kind].set(dep, key);
          else if (typeof readers === 'string') this.#readers[kind].set(dep, [readers, key]);
          else readers.push(key);
        });
      }
      out.push({ key, after: t && { t, rank: { time: createdTime((s as { resource: KIngress }).resource), key } } });
    }
    return out;
  }

  #unread(key: string, t: TranslatedIngress, cache: TranslateCache): void {
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
    if (rejections === undefined && conflicts === undefined) {
      // The usual case: the status follows from the translation alone, so it is made once.
      let status = cache.statuses.get(t);
      if (status === undefined) cache.statuses.set(t, (status = deepFreeze(servedStatus(t, [...t.problems], this.options))));
      return status;
    }
    return deepFreeze(servedStatus(t, [...invalidSpec(rejections, t.origin), ...t.problems, ...(conflicts ?? [])], this.options));
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
// (status.ts withLoadBalancerCondition).
function servedStatus(t: TranslatedIngress, problems: Problem[], options: TranslateOptions): IngressStatusReport {
  return statusReport(
    {
      namespace: t.namespace,
      name: t.name,
      hash: t.hash,
      generation: t.generation,
      problems,
      loadBalancer: { type: 'LoadBalancerReady', status: 'True' },
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
