// IR IP access lists -> Envoy's RBAC HTTP filter: when some route has a list, the filter sits in
// every connection manager disabled, and each such route enables it with one ALLOW policy whose
// principal is "on the allow list (when there is one) and not on the deny list", matched against
// `remote_ip` (the client address after the connection manager's X-Forwarded-For handling, the
// address the data plane's policy reads). Anything else gets Envoy's RBAC denial, 403.
import type { IpAccessPolicy, Snapshot } from '../snapshot/types.ts';
import { type ProtoObject, typed } from './encode.ts';

export const RBAC_FILTER_NAME = 'envoy.filters.http.rbac';
const RBAC_TYPE = 'envoy.extensions.filters.http.rbac.v3.RBAC';
const PER_ROUTE_TYPE = 'envoy.extensions.filters.http.rbac.v3.RBACPerRoute';

/** Goes before the router; no rules: nothing is enforced where a route does not enable it. */
export const RBAC_FILTER: ProtoObject = { name: RBAC_FILTER_NAME, typed_config: typed(RBAC_TYPE, {}), disabled: true };

function cidrRange(cidr: string): ProtoObject {
  const slash = cidr.indexOf('/');
  const address = slash < 0 ? cidr : cidr.slice(0, slash);
  const len = slash < 0 ? (address.includes(':') ? 128 : 32) : Number(cidr.slice(slash + 1));
  return { address_prefix: address, prefix_len: { value: len } };
}

/** Any of the ranges; none: nobody. */
function anyOf(cidrs: readonly string[]): ProtoObject {
  if (cidrs.length === 0) return { not_id: { any: true } };
  const ids = cidrs.map((c) => ({ remote_ip: cidrRange(c) }));
  return ids.length === 1 ? ids[0]! : { or_ids: { ids } };
}

function principal(policy: IpAccessPolicy): ProtoObject {
  const deny = policy.deny !== undefined && policy.deny.length > 0 ? { not_id: anyOf(policy.deny) } : undefined;
  if (policy.allow === undefined) return deny ?? { any: true };
  return deny === undefined ? anyOf(policy.allow) : { and_ids: { ids: [anyOf(policy.allow), deny] } };
}

/** The route's RBAC as the per-filter config that enables the disabled filter. */
export function rbacPerRoute(policy: IpAccessPolicy): ProtoObject {
  const rbac = { rules: { action: 'ALLOW', policies: { 'ip-access': { permissions: [{ any: true }], principals: [principal(policy)] } } } };
  return typed('envoy.config.route.v3.FilterConfig', { config: typed(PER_ROUTE_TYPE, { rbac }) });
}

/** Whether some route of the snapshot has an IP list (then the filter is in the chain). */
export function limitsAddresses(snapshot: Snapshot): boolean {
  const vhosts = [...snapshot.listeners.external, ...snapshot.listeners.local, ...snapshot.ports.flatMap((p) => p.virtualHosts)];
  return vhosts.some((v) => v.routes.some((r) => r.policies?.ipAccess !== undefined));
}
