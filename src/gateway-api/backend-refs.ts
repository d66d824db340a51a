// backendRefs (and mirror targets) -> clusters, resolved exactly as the Knative translator does
// (translate/backends.ts) so a Service port referenced from both APIs is one cluster.
import type { Cluster } from '../snapshot/types.ts';
import { findServicePort, resolveBackend } from '../translate/backends.ts';
import type { RuleContext, UnresolvedReason } from './route-rules.ts';
import type { BackendObjectReference } from './route-types.ts';
import { isIntIn, isObject, isString } from './spec-values.ts';
import { GLOO_UPSTREAM_GROUP } from './gloo-upstreams.ts';

export type RefResolution =
  | { readonly ok: true; readonly cluster: Cluster }
  | { readonly ok: false; readonly reason: UnresolvedReason; readonly message: string };

// appProtocol values that say the port speaks cleartext HTTP/2 (GEP-1911; `grpc` as written in the wild).
const H2C_APP_PROTOCOLS = new Set(['kubernetes.io/h2c', 'h2c', 'grpc', 'http2']);

function fail(reason: UnresolvedReason, message: string): RefResolution {
  return { ok: false, reason, message };
}

/**
 * Resolves one reference to a Service port. `grpc`: the backend is spoken to with h2c (a
 * GRPCRoute's), whatever the port's name says; a port whose appProtocol names another protocol
 * is UnsupportedProtocol, and a port that does not say h2c itself gets a cluster of its own
 * (`ns/svc:port/h2c`) so it never changes the protocol of an HTTPRoute's or Knative's cluster.
 */
export function resolveBackendRef(ref: BackendObjectReference, ctx: RuleContext, where: string, grpc: boolean): RefResolution {
  if (!isObject(ref)) return fail('BackendNotFound', `${where}: must be an object`);
  const group = ref.group ?? '';
  const kind = ref.kind ?? 'Service';
  if (group === GLOO_UPSTREAM_GROUP && kind === 'Upstream' && ctx.glooUpstream !== undefined) return resolveUpstreamRef(ref, ctx, where, grpc);
  if ((group !== '' && group !== 'core') || kind !== 'Service') {
    return fail('InvalidKind', `${where}: ${JSON.stringify(`${group}/${kind}`)} is not a supported backend kind (core Service or gloo.solo.io Upstream)`);
  }
  if (!isString(ref.name) || ref.name === '') return fail('BackendNotFound', `${where}.name: must be a non-empty string`);
  const namespace = ref.namespace ?? ctx.namespace;
  if (!isString(namespace)) return fail('BackendNotFound', `${where}.namespace: must be a string`);
  if (namespace !== ctx.namespace && !ctx.refAllowed({ group: '', kind: 'Service', namespace, name: ref.name })) {
    return fail('RefNotPermitted', `${where}: Service "${namespace}/${ref.name}" is in another namespace and no ReferenceGrant allows it`);
  }
  if (!isIntIn(ref.port, 1, 65535)) return fail('BackendNotFound', `${where}.port: a Service reference needs a port (1..65535)`);
  const split = { serviceNamespace: namespace, serviceName: ref.name, servicePort: ref.port };
  const resolved = resolveBackend(split, ctx.lookups, where);
  if (resolved.problem) return fail('BackendNotFound', resolved.problem.message);
  return grpc ? asH2c(resolved.cluster, ctx, namespace, ref.name, ref.port, where) : { ok: true, cluster: resolved.cluster };
}

/** A Gloo Upstream (kube or static): its own cluster; the ref's port is the Upstream's business. */
function resolveUpstreamRef(ref: BackendObjectReference, ctx: RuleContext, where: string, grpc: boolean): RefResolution {
  if (!isString(ref.name) || ref.name === '') return fail('BackendNotFound', `${where}.name: must be a non-empty string`);
  const namespace = ref.namespace ?? ctx.namespace;
  if (!isString(namespace)) return fail('BackendNotFound', `${where}.namespace: must be a string`);
  if (namespace !== ctx.namespace && !ctx.refAllowed({ group: GLOO_UPSTREAM_GROUP, kind: 'Upstream', namespace, name: ref.name })) {
    return fail('RefNotPermitted', `${where}: Upstream "${namespace}/${ref.name}" is in another namespace and no ReferenceGrant allows it`);
  }
  const r = ctx.glooUpstream!(namespace, ref.name);
  if ('problem' in r) return fail('BackendNotFound', `${where}: ${r.problem}`);
  if ('lambda' in r) {
    return fail('InvalidKind', `${where}: Upstream "${namespace}/${ref.name}" is an AWS Upstream: its Lambda functions are reached from a VirtualService route (destinationSpec.aws), not a backendRef`);
  }
  const cluster = r.cluster;
  if (!grpc || cluster.protocol === 'h2c') return { ok: true, cluster };
  return { ok: true, cluster: { ...cluster, name: `${cluster.name}/h2c`, protocol: 'h2c' } };
}

function asH2c(cluster: Cluster, ctx: RuleContext, namespace: string, name: string, port: number, where: string): RefResolution {
  if (cluster.protocol === 'h2c') return { ok: true, cluster };
  const service = ctx.lookups.service(`${namespace}/${name}`);
  const appProtocol = service ? findServicePort(service, port)?.appProtocol : undefined;
  if (appProtocol !== undefined && !H2C_APP_PROTOCOLS.has(appProtocol)) {
    return fail('UnsupportedProtocol', `${where}: Service port ${port} has appProtocol ${JSON.stringify(appProtocol)}; gRPC needs h2c`);
  }
  return { ok: true, cluster: { ...cluster, name: `${cluster.name}/h2c`, protocol: 'h2c' } };
}
