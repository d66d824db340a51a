// A Gateway's status.addresses: where clients reach its listeners. File mode binds them on
// --gateway-address, so that is the address. In Kubernetes mode the pods' bind address (0.0.0.0)
// means nothing to a client: the Service in front of them (--gateway-api-service) is reported, as
// Envoy Gateway and Istio report theirs: its load balancer's IPs and host names, else its cluster
// IP, else (no Service yet, or a headless one) its DNS name.
import { isIP } from 'node:net';
import type { Lookups } from '../translate/lookups.ts';

export interface GatewayAddress {
  readonly type: 'IPAddress' | 'Hostname';
  readonly value: string;
}

export interface AddressOptions {
  readonly gatewayAddress: string;
  /** Kubernetes mode: `namespace/name` of the Service in front of the Gateway listeners */
  readonly gatewayService?: string;
  readonly clusterDomain?: string;
}

const typed = (value: string): GatewayAddress => ({ type: isIP(value) === 0 ? 'Hostname' : 'IPAddress', value });

export function gatewayAddresses(options: AddressOptions, lookups: Lookups): readonly GatewayAddress[] {
  if (options.gatewayService === undefined) return [typed(options.gatewayAddress)];
  const svc = lookups.service(options.gatewayService);
  const balanced: GatewayAddress[] = [];
  for (const i of svc?.status?.loadBalancer?.ingress ?? []) {
    if (typeof i?.ip === 'string' && isIP(i.ip) !== 0) balanced.push({ type: 'IPAddress', value: i.ip });
    else if (typeof i?.hostname === 'string' && i.hostname !== '') balanced.push({ type: 'Hostname', value: i.hostname });
  }
  if (balanced.length > 0) return balanced;
  const clusterIP = svc?.spec?.clusterIP;
  if (typeof clusterIP === 'string' && isIP(clusterIP) !== 0) return [{ type: 'IPAddress', value: clusterIP }];
  const [namespace, name] = options.gatewayService.split('/');
  return [{ type: 'Hostname', value: `${name}.${namespace}.svc.${options.clusterDomain ?? 'cluster.local'}` }];
}
