// Attaches BackendPolicies to the translated clusters (pure): a policy targets a core Service (or one
// of its ports by name, `sectionName`) or a Gloo Upstream in its own namespace by `targetRefs`
// (GEP-713), and every cluster sending to it gets the policy (Cluster.policy): each port of the
// Service, the h2c variant gRPC routes use, a Knative revision's Service alike. A port's policy
// replaces the Service's whole for that port. Two policies on one target conflict: the oldest
// (creationTimestamp, then namespace/name) wins and the other is reported Conflicted, as
// TrafficPolicy does. A cluster keeps its object while its policy is unchanged.
import { hash } from 'node:crypto';
import type { BackendPolicy as PolicyIR } from '../snapshot/backend-policy.ts';
import type { Cluster, ObjectStatus, SnapshotContent, TranslateResult } from '../snapshot/types.ts';
import type { ResourceSet } from '../store/types.ts';
import { backendPolicyOf } from './backend-policy-ir.ts';
import type { BackendPolicy, BackendPolicyTargetRef } from './backend-policy-types.ts';
import { condition, type GatewayCondition, generationOf } from './conditions.ts';
import { SLUICE_API_V1ALPHA1 } from './traffic-policy-types.ts';
import { CONTROLLER_NAME } from './types.ts';

const irOf = new WeakMap<BackendPolicy, PolicyIR>();
const attached = new WeakMap<Cluster, { readonly policy: PolicyIR; readonly cluster: Cluster }>();

function policyFor(p: BackendPolicy): PolicyIR {
  let ir = irOf.get(p);
  if (ir === undefined) irOf.set(p, (ir = backendPolicyOf(p)));
  return ir;
}

const keyOf = (p: BackendPolicy): string => `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`;

function older(a: BackendPolicy, b: BackendPolicy): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  return keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0;
}

/** `Service ns/name`, `Service ns/name#port` or `Upstream ns/name`: what a ref in the policy's namespace names. */
const targetKey = (p: BackendPolicy, ref: BackendPolicyTargetRef): string =>
  `${ref.kind} ${p.metadata.namespace ?? 'default'}/${ref.name}${ref.sectionName === undefined ? '' : `#${ref.sectionName}`}`;

/** The port-level target of a Service cluster (`Service ns/name#port`, by port name), if its port has a name. */
function portTarget(set: ResourceSet, cluster: string, target: string): string | undefined {
  if (!target.startsWith('Service ')) return undefined;
  const base = cluster.endsWith('/h2c') ? cluster.slice(0, -4) : cluster;
  const port = base.slice(base.lastIndexOf(':') + 1);
  // Routes name a port by number or by name; a policy names it by name.
  const named = /^\d+$/.test(port) ? portsOf(set, target).find((p) => p?.port === Number(port))?.name : port;
  return typeof named === 'string' ? `${target}#${named}` : undefined;
}

function portsOf(set: ResourceSet, target: string): ReadonlyArray<{ name?: unknown; port?: unknown } | undefined> {
  const ports = set.services.get(target.slice(target.indexOf(' ') + 1))?.spec?.ports;
  return Array.isArray(ports) ? ports : [];
}

/**
 * The target a cluster sends to, from its name (translate/backends.ts and gloo/upstreams.ts name
 * them): `upstream:ns/name` is a Gloo Upstream's, `ns/service:port` a Service port's; either may
 * carry `/h2c` (gRPC routes to an HTTP/1.1 port).
 */
export function clusterTarget(name: string): string | undefined {
  const base = name.endsWith('/h2c') ? name.slice(0, -4) : name;
  if (base.startsWith('upstream:')) return `Upstream ${base.slice(9)}`;
  const colon = base.lastIndexOf(':');
  return colon > 0 && base.includes('/') ? `Service ${base.slice(0, colon)}` : undefined;
}

function exists(set: ResourceSet, target: string): boolean {
  const hash = target.indexOf('#');
  if (hash >= 0) return exists(set, target.slice(0, hash)) && portsOf(set, target.slice(0, hash)).some((p) => p?.name === target.slice(hash + 1));
  const [kind, key] = target.split(' ') as [string, string];
  return kind === 'Service' ? set.services.has(key) : set.glooUpstreams.has(key);
}

function statusOf(p: BackendPolicy, winners: ReadonlyMap<string, BackendPolicy>, set: ResourceSet): ObjectStatus {
  const gen = generationOf(p.metadata);
  const ancestors = p.spec.targetRefs.map((ref) => {
    const target = targetKey(p, ref);
    const w = winners.get(target);
    let c: GatewayCondition;
    if (!exists(set, target)) c = condition('Accepted', false, 'TargetNotFound', `${target.replace('#', ' port ')} not found`, gen);
    else if (w === p) c = condition('Accepted', true, 'Accepted', 'attached', gen);
    else c = condition('Accepted', false, 'Conflicted', `${target} already has BackendPolicy ${w === undefined ? '?' : keyOf(w)} (older)`, gen);
    return { ancestorRef: { ...ref, namespace: p.metadata.namespace ?? 'default' }, controllerName: CONTROLLER_NAME, conditions: [c] };
  });
  return { apiVersion: SLUICE_API_V1ALPHA1, kind: 'BackendPolicy', namespace: p.metadata.namespace ?? 'default', name: p.metadata.name, generation: gen, status: { ancestors } };
}

function withPolicy(cluster: Cluster, policy: PolicyIR): Cluster {
  const had = attached.get(cluster);
  if (had !== undefined && had.policy === policy) return had.cluster;
  const out = Object.freeze({ ...cluster, policy });
  attached.set(cluster, { policy, cluster: out });
  return out;
}

/** The translation with BackendPolicies attached to the clusters they target, and their statuses. */
export function attachBackendPolicies(result: TranslateResult, set: ResourceSet): TranslateResult {
  const policies = set.backendPolicies;
  if (policies === undefined || policies.size === 0) return result;
  const sorted = [...policies.values()].sort(older);
  const winners = new Map<string, BackendPolicy>();
  for (const p of sorted) for (const ref of p.spec.targetRefs) if (!winners.has(targetKey(p, ref))) winners.set(targetKey(p, ref), p);
  const s = result.snapshot;
  let changed = false;
  const clusters = s.clusters.map((c) => {
    const service = clusterTarget(c.name);
    const port = service === undefined ? undefined : portTarget(set, c.name, service);
    // The port's policy first (more specific), else the Service's or Upstream's.
    const target = port !== undefined && winners.has(port) ? port : service;
    const p = target === undefined ? undefined : winners.get(target);
    if (p === undefined || !exists(set, target!)) return c;
    changed = true;
    return withPolicy(c, policyFor(p));
  });
  const statuses = sorted.map((p) => statusOf(p, winners, set));
  const objectStatuses = [...(result.objectStatuses ?? []), ...statuses];
  if (!changed) return Object.freeze({ ...result, objectStatuses });
  const snapshot: SnapshotContent = Object.freeze({
    ...s,
    clusters: Object.freeze(clusters),
    // The policies are part of what is served: a policy edit must change the hash.
    hash: hash('sha256', `${s.hash}\n${JSON.stringify([...winners].map(([t, p]) => [t, keyOf(p), p.spec]).sort())}`, 'hex'),
  });
  // The list diffs compared the clusters before policies were attached; consumers compare instead.
  const { diffs: _dropped, ...rest } = result;
  return Object.freeze({ ...rest, snapshot, objectStatuses });
}
