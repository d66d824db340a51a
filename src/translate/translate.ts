// resources -> Snapshot content + per-ingress status + diagnostics. Pure: no I/O, no clock, no
// randomness; the same ResourceSet always gives the same result, whatever order its maps were
// filled in. Each ingress is translated on its own (ingress.ts); merge.ts combines them and settles
// host conflicts; problems stay on the ingress they belong to.
import type { Origin, Rejection } from '../api/types.ts';
import type { Diagnostic, IngressStatusReport, SnapshotContent, TranslateResult } from '../snapshot/types.ts';
import type { ResourceSet } from '../store/types.ts';
import { findServicePort } from './backends.ts';
import { canonicalJson, sha256Hex } from './canonical.ts';
import { classMatches, translateIngress, type TranslatedIngress } from './ingress.ts';
import { byPrecedence, compareStrings, merge } from './merge.ts';
import type { TranslateOptions } from './options.ts';
import type { Problem } from './problems.ts';
import { describeOrigin, describeRejection, rejectionSubject, rejectionsByIngress } from './rejections.ts';
import { statusReport } from './status.ts';

export function translate(set: ResourceSet, options: TranslateOptions): TranslateResult {
  const served = [...set.ingresses.values()].filter((s) => classMatches(s.resource, options)).sort(byPrecedence);
  const translated = served.map((s) => translateIngress(s, set, options));
  const merged = merge(translated);
  const rejected = rejectionsByIngress(set.rejections);

  const statuses: IngressStatusReport[] = [];
  const diagnostics: Diagnostic[] = set.rejections.map((r) => ({
    level: 'error',
    subject: rejectionSubject(r),
    message: describeRejection(r),
  }));
  for (const t of translated) {
    const problems = [...invalidSpec(rejected.get(t.key), t.origin), ...t.problems, ...(merged.conflicts.get(t.key) ?? [])];
    statuses.push(servedStatus(t, problems, options));
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
  const snapshot: SnapshotContent = { hash: sha256Hex(canonicalJson(body)), ...body };
  statuses.sort((a, b) => compareStrings(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`));
  diagnostics.sort((a, b) => compareStrings(a.subject, b.subject) || compareStrings(a.message, b.message));
  // Consumers share this value across requests and swaps; freezing makes accidental edits throw.
  return deepFreeze({ snapshot, statuses, diagnostics });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
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
    const colon = c.name.lastIndexOf(':');
    const svc = c.name.slice(0, colon);
    const port = c.name.slice(colon + 1);
    const service = set.services.get(svc);
    // Missing Services and ports are already errors on the ingress; don't repeat them.
    if (c.endpoints.length > 0 || !service || c.type === 'dns') continue;
    if (!findServicePort(service, /^[0-9]+$/.test(port) ? Number(port) : port)) continue;
    out.push({ level: 'warning', subject: `Service ${svc}`, message: `cluster "${c.name}" has no ready endpoints; requests to it get 503` });
  }
  return out;
}
