// The routing snapshot: the one immutable value every consumer serves from
// (the Node data plane, the xDS server, the admin endpoint, the Kubernetes status writer).
// It is plain JSON-able data; consumers compile it into their own fast structures once per swap.
import type { Condition, HTTPOption, LoadBalancerStatus } from '../api/types.ts';
import type { ContentDiffs } from './change.ts';

/** Which listener a virtual host is served on. `external` covers both --http and --https. */
export type ListenerKind = 'external' | 'local';

/** A header name (lower-case) and the value it is set to. */
export type HeaderPair = readonly [name: string, value: string];

/** Header edits, applied in this order: set (replace), add (append), remove. */
export interface HeaderEdits {
  /** lower-case names */
  readonly set: readonly HeaderPair[];
  readonly add: readonly HeaderPair[];
  /** lower-case names */
  readonly remove: readonly string[];
}

export interface HeaderMatch {
  /** lower-case header name */
  readonly name: string;
  /** the value the header must have; "" means the header must be present (as net-kourier reads it) */
  readonly exact: string;
}

export interface Split {
  /** name of a Cluster in Snapshot.clusters */
  readonly cluster: string;
  /** 0..100; the splits of a route sum to 100 */
  readonly percent: number;
  /** headers set on the request when this split is chosen (replace client values) */
  readonly appendHeaders: readonly HeaderPair[];
}

export interface Route {
  /** `namespace/name` of the ingress this route came from */
  readonly ingress: string;
  /** literal path prefix, always starting with `/` */
  readonly pathPrefix: string;
  /** every entry must match exactly for the route to match */
  readonly headers: readonly HeaderMatch[];
  /** path-level headers set on the request (replace client values), before the split's */
  readonly appendHeaders: readonly HeaderPair[];
  /** replaces the Host sent upstream */
  readonly rewriteHost?: string;
  readonly splits: readonly Split[];
}

export interface VirtualHost {
  /** stable unique name: `<ingress ns/name>/<rule index>` */
  readonly name: string;
  /** lower-case host names without port; includes Knative's short `.svc` forms */
  readonly domains: readonly string[];
  /** `namespace/name` of the owning ingress */
  readonly ingress: string;
  /** `Redirected`: plain-HTTP requests on the external listener get 301 to https */
  readonly httpOption: HTTPOption;
  /** routes in match order */
  readonly routes: readonly Route[];
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
}

export interface TlsCertificate {
  /** `namespace/secretName` */
  readonly name: string;
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
  /** sorted by name */
  readonly clusters: readonly Cluster[];
  /** sorted by name */
  readonly tls: readonly TlsCertificate[];
  /** sorted by key */
  readonly ingresses: readonly IngressInfo[];
}

export interface Snapshot extends SnapshotContent {
  /** increases by one with every served change */
  readonly version: number;
}

/** Knative status of one ingress, as the translator computes it. */
export interface IngressStatusReport {
  readonly namespace: string;
  readonly name: string;
  /** ingress hash; empty when the ingress has never had a valid spec */
  readonly hash: string;
  readonly generation?: number;
  readonly conditions: readonly Condition[];
  readonly publicLoadBalancer: LoadBalancerStatus;
  readonly privateLoadBalancer: LoadBalancerStatus;
}

/** A problem found while translating, tied to the ingress (or resource) it belongs to. */
export interface Diagnostic {
  readonly level: 'warning' | 'error';
  /** `Kind namespace/name` */
  readonly subject: string;
  readonly message: string;
}

export interface TranslateResult {
  readonly snapshot: SnapshotContent;
  readonly statuses: readonly IngressStatusReport[];
  readonly diagnostics: readonly Diagnostic[];
  /**
   * how the snapshot's lists were made from those of the result before (same translator state);
   * absent when the translation started over
   */
  readonly diffs?: ContentDiffs;
}
