import { DEFAULT_INGRESS_CLASS } from '../api/types.ts';

export interface TranslateOptions {
  /** cluster domain for Knative's short host forms (`name.ns.svc.<domain>` -> `name.ns.svc`, `name.ns`) */
  readonly clusterDomain: string;
  /** `domainInternal` of the public load balancer status */
  readonly publicDomain: string;
  /** `domainInternal` of the private (cluster-local) load balancer status */
  readonly privateDomain: string;
  /** only ingresses annotated with this class are served */
  readonly ingressClass: string;
  /**
   * When false (file mode), an ingress without the class annotation is served too;
   * when true (Kubernetes mode), the annotation must be present and equal.
   */
  readonly requireClass: boolean;
  /** the address every Gateway API listener binds (`--gateway-address`) */
  readonly gatewayAddress: string;
  /** added to every Gateway API listener's port (`--port-offset`), so unprivileged processes can serve port 80 and 443 */
  readonly portOffset: number;
  /**
   * Kubernetes mode: `namespace/name` of the Service in front of the Gateway listeners
   * (`--gateway-api-service`), whose addresses each Gateway reports; file mode: none, and Gateways
   * report the bind address
   */
  readonly gatewayService?: string;
  /** where the gateway's `config-sluice` ConfigMap is read (the namespace of --gateway-service; default sluice-system) */
  readonly gatewayNamespace?: string;
}

export const defaultTranslateOptions: TranslateOptions = {
  clusterDomain: 'cluster.local',
  publicDomain: 'sluice.sluice-system.svc.cluster.local',
  privateDomain: 'sluice-internal.sluice-system.svc.cluster.local',
  ingressClass: DEFAULT_INGRESS_CLASS,
  requireClass: false,
  gatewayAddress: '0.0.0.0',
  portOffset: 0,
};
