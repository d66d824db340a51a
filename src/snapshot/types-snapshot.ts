// The snapshot itself and what it serves: listeners and their virtual hosts, Gateway API ports,
// clusters and endpoints, TLS certificates, served ingresses and gateway-wide defaults.
import type { HTTPOption } from '../api/types.ts';
import type { FunctionBinding } from '../functions/types.ts';
import type { BackendPolicy } from './backend-policy.ts';
import type { ExtAuthzPolicy } from './types-policies.ts';
import type { Route } from './types-route.ts';

/**
 * Which listener a virtual host table belongs to: `external` (--http and --https), `local`
 * (--local), or the `name` of a PortListener (a Gateway API port).
 */
export type ListenerKind = string;

/** The listeners Knative's virtual hosts are served on (SnapshotContent.listeners). */
export type KnativeListener = 'external' | 'local';

export interface VirtualHost {
  /** stable unique name: `<ingress ns/name>/<rule index>`, or `<listener name>/<host>` for Gateway ports */
  readonly name: string;
  /**
   * lower-case host names without port; includes Knative's short `.svc` forms. `*.example.com`
   * matches any name ending in `.example.com` (one or more labels, the Gateway API's rule), a more
   * specific name winning; `*` alone matches any host not matched otherwise
   */
  readonly domains: readonly string[];
  /** key of the object owning this host (an ingress's key for Knative: probes and redirects read IngressInfo by it) */
  readonly ingress: string;
  /** `Redirected`: plain-HTTP requests on the external listener get 301 to https */
  readonly httpOption: HTTPOption;
  /** routes in match order (translators sort them by their API's precedence) */
  readonly routes: readonly Route[];
  /**
   * HTTPS Gateway ports: the hostname (`*` for none) of the listener this host belongs to. A request
   * whose Host and SNI belong to different listeners is misdirected (421).
   */
  readonly listenerHostname?: string;
  /**
   * Gateway ports: the listeners (`namespace/gateway/listener`, sorted) whose routes this host
   * holds; a policy attached to a Gateway or a listener reaches its routes through them
   */
  readonly listeners?: readonly string[];
}

/**
 * One address and port a Gateway API listener (or several listeners, of one Gateway or many)
 * is served on. Knative's listeners (--http, --https, --local) are not PortListeners.
 */
export interface PortListener {
  /** stable unique name, `gateway/<address>:<port>`; the router's listener key for it */
  readonly name: string;
  /** bind address (--gateway-address) and port (the listener's port plus --port-offset) */
  readonly address: string;
  readonly port: number;
  /**
   * the port the Gateway's listeners declare (before --port-offset): what clients and routes see,
   * so a redirect without a port names it; undefined: `port`
   */
  readonly listenerPort?: number;
  readonly protocol: 'HTTP' | 'HTTPS';
  /** HTTPS: names of Snapshot.tls certificates, chosen by SNI against each one's `hosts`; the first is the default */
  readonly certificates: readonly string[];
  /** sorted by name; each domain in at most one virtual host */
  readonly virtualHosts: readonly VirtualHost[];
  /** HTTPS: ask clients for a certificate and verify it (Gateway spec.tls.frontend); absent: none asked */
  readonly clientValidation?: ClientValidation;
}

/** Client certificate validation on a port. */
export interface ClientValidation {
  /** PEM, one or more CA certificates a client certificate must chain to */
  readonly caCertificates: string;
  /** AllowValidOnly: no valid certificate, no connection; AllowInsecureFallback: verified, never refused */
  readonly mode: 'AllowValidOnly' | 'AllowInsecureFallback';
}

export interface Endpoint {
  /** IP address, or DNS name when the cluster is of type `dns` */
  readonly address: string;
  readonly port: number;
}

export interface Cluster {
  /** `namespace/service:port` (port as written in the ingress: a number or a port name) */
  readonly name: string;
  /** wire protocol to the upstream */
  readonly protocol: 'http1' | 'h2c';
  /** `static`: endpoints are IPs from EndpointSlices/Endpoints; `dns`: an ExternalName resolved by DNS */
  readonly type: 'static' | 'dns';
  /** ready endpoints; empty means requests get 503 */
  readonly endpoints: readonly Endpoint[];
  /** circuit breakers, outlier detection, health checks (a BackendPolicy); absent: none */
  readonly policy?: BackendPolicy;
}

export interface TlsCertificate {
  /** `namespace/secretName`; `gateway:namespace/secretName` for a Gateway listener's */
  readonly name: string;
  /**
   * a Gateway listener's certificate: served only on the ports that name it
   * (PortListener.certificates), never on Knative's --https listener
   */
  readonly gateway?: boolean;
  /** lower-case SNI names served with this certificate */
  readonly hosts: readonly string[];
  /** PEM certificate chain */
  readonly certChain: string;
  /** PEM private key */
  readonly privateKey: string;
}

/** What the data plane needs to know about each served ingress (probes, redirects). */
export interface IngressInfo {
  /** `namespace/name` */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  /** Knative's ingress hash (see translate/hash.ts) */
  readonly hash: string;
  readonly httpOption: HTTPOption;
  /** hosts per listener, as in the virtual hosts (expanded) */
  readonly externalHosts: readonly string[];
  readonly localHosts: readonly string[];
}

/** Translator output, before the pipeline gives it a version. */
export interface SnapshotContent {
  /** SHA-256 over the content, independent of input order */
  readonly hash: string;
  readonly listeners: { readonly external: readonly VirtualHost[]; readonly local: readonly VirtualHost[] };
  /** Gateway API ports, sorted by name (empty when no Gateway is served) */
  readonly ports: readonly PortListener[];
  /** sorted by name */
  readonly clusters: readonly Cluster[];
  /** sorted by name */
  readonly tls: readonly TlsCertificate[];
  /** sorted by key */
  readonly ingresses: readonly IngressInfo[];
  /** function calls splits make (Split.function), sorted by name; absent: none */
  readonly functions?: readonly FunctionBinding[];
  /** the gateway-wide settings the `config-sluice` ConfigMap sets (src/sources/config-sluice.ts); absent: none */
  readonly gatewayDefaults?: GatewayDefaults;
}

/** Gateway-wide listener settings from `config-sluice`: each one set overrides its `serve` flag. */
export interface GatewayDefaults {
  /** listeners that require a PROXY protocol header: http, https, local, gateway */
  readonly proxyProtocol?: readonly string[];
  readonly trustedHops?: number;
  readonly tlsMinVersion?: 'TLSv1.2' | 'TLSv1.3';
  readonly cipherSuites?: readonly string[];
  /** `namespace/name` of the TlsCertificate (in `tls`, with no hosts) served to TLS clients whose SNI names no certificate */
  readonly defaultCertificate?: string;
  /** ms: the idle timeout of every route without one of its own (policies/route-defaults.ts) */
  readonly streamIdleTimeout?: number;
  /** ext_authz for every route whose policies do not set their own (or disable it) */
  readonly extAuthz?: ExtAuthzPolicy;
}

export interface Snapshot extends SnapshotContent {
  /** increases by one with every served change */
  readonly version: number;
}
