// resources -> Snapshot content + per-ingress status + diagnostics. Pure: no I/O, no clock, no
// randomness; the same ResourceSet always gives the same result, whatever order its maps were
// filled in. Each ingress is translated on its own (ingress.ts); merge.ts combines them and settles
// host conflicts; problems stay on the ingress they belong to.
import { createHash } from 'node:crypto';
import type { KIngress, Origin, Rejection, Sourced } from '../api/types.ts';
import type { Diagnostic, IngressStatusReport, SnapshotContent, TranslateResult } from '../snapshot/types.ts';
import type { ResourceSet } from '../store/types.ts';
import { findServicePort } from './backends.ts';
import { deepFreeze, TranslateCache } from './cache.ts';
import { classMatches, type TranslatedIngress } from './ingress.ts';
import { compareStrings, createdTime, merge } from './merge.ts';
import type { TranslateOptions } from './options.ts';
import type { Problem } from './problems.ts';
import { describeOrigin, describeRejection, rejectionSubject, rejectionsByIngress } from './rejections.ts';
import { statusReport } from './status.ts';

/**
 * `cache` carries translations over from earlier calls (the pipeline keeps one); the result is the
 * same with a fresh cache, only slower. Without one, everything is translated from scratch.
 */
export function translate(set: ResourceSet, options: TranslateOptions, cache: TranslateCache = new TranslateCache()): TranslateResult {
  const served = inPrecedenceOrder([...set.ingresses.values()].filter((s) => classMatches(s.resource, options)));
  const translated = served.map((s) => cache.ingress(s, set, options));
  const merged = merge(translated, cache);
  const rejected = rejectionsByIngress(set.rejections);

  const statuses: IngressStatusReport[] = [];
  const diagnostics: Diagnostic[] = set.rejections.map((r) => ({
    level: 'error',
    subject: rejectionSubject(r),
    message: describeRejection(r),
  }));
  for (const t of translated) {
    const rejections = rejected.get(t.key);
    const conflicts = merged.conflicts.get(t.key);
    if (rejections === undefined && conflicts === undefined) {
      // The usual case: the status follows from the translation alone, so it is made once.
      let status = cache.statuses.get(t);
      if (status === undefined) cache.statuses.set(t, (status = deepFreeze(servedStatus(t, [...t.problems], options))));
      statuses.push(status);
    } else {
      statuses.push(servedStatus(t, [...invalidSpec(rejections, t.origin), ...t.problems, ...(conflicts ?? [])], options));
    }
    for (const p of t.problems.concat(merged.conflicts.get(t.key) ?? [])) {
      diagnostics.push({ level: 'error', subject: `Ingress ${t.key}`, message: `${p.reason}: ${p.message}` });
    }
  }
  // An ingress rejected before it ever had a good version still gets a status, so users see why.
  // Its class cannot be read from a Rejection, so when the class annotation is required (Kubernetes
  // mode) this is skipped: the status writer must not touch another controller's ingress.
  if (!options.requireClass) {
    for (const [key, rs] of rejected) {
      if (!set.ingresses.has(key)) statuses.push(neverGoodStatus(key, rs, options));
    }
  }
  diagnostics.push(...noEndpointWarnings(merged.clusters, set));

  const body = { listeners: merged.listeners, clusters: merged.clusters, tls: merged.tls, ingresses: merged.ingresses };
  const snapshot: SnapshotContent = { hash: contentHash(body, cache), ...body };
  sortStatuses(statuses);
  diagnostics.sort((a, b) => compareStrings(a.subject, b.subject) || compareStrings(a.message, b.message));
  // Consumers share this value across requests and swaps; freezing makes accidental edits throw.
  // The parts that come from the cache were frozen when they were made, so deepFreeze stops there.
  return deepFreeze({ snapshot, statuses, diagnostics });
}

// By `namespace/name`, with the key made once per status rather than in every comparison.
function sortStatuses(statuses: IngressStatusReport[]): void {
  const keyed = statuses.map((s) => ({ s, key: `${s.namespace}/${s.name}` }));
  keyed.sort((a, b) => compareStrings(a.key, b.key));
  keyed.forEach((k, i) => (statuses[i] = k.s));
}

// Sorting by a precomputed (creation time, key) pair instead of parsing timestamps in the comparator.
function inPrecedenceOrder(ingresses: Array<Sourced<KIngress>>): Array<Sourced<KIngress>> {
  const keyed = ingresses.map((s) => ({ s, t: createdTime(s.resource), key: `${s.resource.metadata.namespace ?? 'default'}/${s.resource.metadata.name}` }));
  keyed.sort((a, b) => (a.t !== b.t ? (a.t < b.t ? -1 : 1) : compareStrings(a.key, b.key)));
  return keyed.map((k) => k.s);
}

// The snapshot hash is a hash of the parts' hashes (each the SHA-256 of its JSON, cached per
// object; see TranslateCache.hashOf), section by section, each section in its sorted order (by name or key). So it does
// not depend on input order, and a change costs hashing the changed parts plus one pass over 32-byte
// digests rather than serializing the whole snapshot.
function contentHash(body: Omit<SnapshotContent, 'hash'>, cache: TranslateCache): string {
  const h = createHash('sha256');
  // One update per section: hashing a few MB of hex digests at once is much cheaper than 60,000 small updates.
  const section = (name: string, parts: readonly object[]): void => {
    h.update(`${name}:${parts.length};`);
    h.update(parts.map((p) => cache.hashOf(p)).join(''));
  };
  section('clusters', body.clusters);
  section('ingresses', body.ingresses);
  section('listeners.external', body.listeners.external);
  section('listeners.local', body.listeners.local);
  section('tls', body.tls);
  return h.digest('hex');
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
function noEndpointWarnings(clusters: SnapshotContent['clusters'], set: ResourceSet): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const c of clusters) {
    // Most clusters have endpoints: skip them before any string work.
    if (c.endpoints.length > 0 || c.type === 'dns') continue;
    const colon = c.name.lastIndexOf(':');
    const svc = c.name.slice(0, colon);
    const port = c.name.slice(colon + 1);
    const service = set.services.get(svc);
    // Missing Services and ports are already errors on the ingress; don't repeat them.
    if (!service) continue;
    if (!findServicePort(service, /^[0-9]+$/.test(port) ? Number(port) : port)) continue;
    out.push({ level: 'warning', subject: `Service ${svc}`, message: `cluster "${c.name}" has no ready endpoints; requests to it get 503` });
  }
  return out;
}
