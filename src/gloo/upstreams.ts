// Gloo destinations -> the Cluster (and the Upstream behind it) a split sends to. An Upstream is
// written (`kube`, `static`, `aws`) or implicit: like Gloo's discovery, every port of every Service
// is an Upstream named `<namespace>-<service>-<port>`, found by that name in any namespace (Gloo's
// discovery writes them to gloo-system). Kube Upstreams reuse the Knative translator's Service and
// endpoint lookups (translate/backends.ts); implicit ones share its cluster names, so one Service
// port is one cluster whichever API routes to it.
import { isIP } from 'node:net';
import { isHostName } from '../api/grammar.ts';
import type { ResourceSet } from '../store/types.ts';
import type { Cluster, Endpoint } from '../snapshot/types.ts';
import { clusterName, resolveBackend } from '../translate/backends.ts';
import type { Lookups } from '../translate/lookups.ts';
import { namespaceOf, type Reports } from './report.ts';
import type { Destination, ResourceRef, ServiceSpec, Upstream } from './types.ts';
import { upstreamPolicy } from './upstream-policy.ts';

/** Where a destination goes. */
export interface Target {
  /** absent for an AWS Upstream (Lambda is reached through its function binding) */
  readonly cluster?: Cluster;
  /** the written Upstream, when the destination names one */
  readonly upstream?: Upstream;
  readonly serviceSpec?: ServiceSpec;
  /** `Upstream ns/name` or `Service ns/name:port`, for messages */
  readonly label: string;
}

export type Resolved = { readonly target: Target } | { readonly problem: string };

type ServicePortRef = { serviceNamespace: string; serviceName: string; servicePort: number };

export class UpstreamIndex {
  readonly #set: ResourceSet;
  readonly #lookups: Lookups;
  readonly #reports: Reports;
  /** every cluster a destination resolved to, by name */
  readonly clusters = new Map<string, Cluster>();
  readonly #upstreamTargets = new Map<string, Target | undefined>();
  #implicit: Map<string, ServicePortRef> | undefined;

  constructor(set: ResourceSet, lookups: Lookups, reports: Reports) {
    this.#set = set;
    this.#lookups = lookups;
    this.#reports = reports;
    // Every written Upstream is checked (and reported) whether or not a route uses it.
    for (const [key, u] of set.glooUpstreams) this.#upstreamTarget(key, u);
  }

  /** The target of a route destination, resolved in the namespace `ns` of the object naming it. */
  resolve(dest: Destination | undefined, ns: string): Resolved {
    if (dest?.upstream !== undefined) return this.upstream(dest.upstream, ns);
    if (dest?.kube !== undefined) {
      const ref = dest.kube.ref ?? {};
      if (!ref.name || typeof dest.kube.port !== 'number') return { problem: 'kube destination needs ref.name and port' };
      return this.#service({ serviceNamespace: ref.namespace || ns, serviceName: ref.name, servicePort: dest.kube.port });
    }
    return { problem: 'destination needs an upstream or kube reference' };
  }

  upstream(ref: ResourceRef, ns: string): Resolved {
    if (!ref.name) return { problem: 'upstream reference needs a name' };
    const key = `${ref.namespace || ns}/${ref.name}`;
    const written = this.#set.glooUpstreams.get(key);
    if (written !== undefined) {
      const t = this.#upstreamTarget(key, written);
      return t === undefined ? { problem: `Upstream "${key}" is not usable (see its status)` } : { target: t };
    }
    const implicit = this.#implicitIndex().get(ref.name);
    if (implicit !== undefined) return this.#service(implicit);
    return { problem: `Upstream "${key}" not found` };
  }

  #service(ref: ServicePortRef): Resolved {
    const r = resolveBackend(ref, this.#lookups, 'destination');
    if (r.problem !== undefined) return { problem: r.problem.message.replace(/^destination: /, '') };
    this.clusters.set(r.cluster.name, r.cluster);
    return { target: { cluster: r.cluster, label: `Service ${clusterName(ref)}` } };
  }

  #implicitIndex(): Map<string, ServicePortRef> {
    if (this.#implicit !== undefined) return this.#implicit;
    const index = new Map<string, ServicePortRef>();
    for (const svc of this.#set.services.values()) {
      const serviceNamespace = namespaceOf(svc);
      for (const p of svc.spec.ports ?? []) {
        index.set(`${serviceNamespace}-${svc.metadata.name}-${p.port}`, { serviceNamespace, serviceName: svc.metadata.name, servicePort: p.port });
      }
    }
    return (this.#implicit = index);
  }

  #upstreamTarget(key: string, u: Upstream): Target | undefined {
    if (this.#upstreamTargets.has(key)) return this.#upstreamTargets.get(key);
    let t: Target | undefined;
    try {
      t = this.#translateUpstream(key, u);
    } catch (err) {
      // A bug meeting an input nobody foresaw: this Upstream is unusable, and says why.
      this.#reports.error(u, '', `cannot translate: ${(err as Error).message}`);
    }
    if (t?.cluster !== undefined) {
      const policy = upstreamPolicy(key, u.spec, (path, message) => this.#reports.warn(u, path, message));
      if (policy !== undefined) t = { ...t, cluster: { ...t.cluster, policy } };
    }
    this.#upstreamTargets.set(key, t);
    if (t?.cluster !== undefined) this.clusters.set(t.cluster.name, t.cluster);
    return t;
  }

  #translateUpstream(key: string, u: Upstream): Target | undefined {
    const spec = u.spec;
    const kinds = (['kube', 'static', 'aws'] as const).filter((k) => spec[k] !== undefined);
    if (kinds.length !== 1) {
      this.#reports.error(u, 'spec', kinds.length === 0 ? 'needs one of kube, static or aws (the upstream types Sluice serves)' : `has ${kinds.join(' and ')}: an Upstream has one type`);
      return undefined;
    }
    const name = `upstream:${key}`;
    const label = `Upstream ${key}`;
    const h2c = spec.useHttp2 === true || (spec.kube ?? spec.static)?.serviceSpec?.grpcJsonTranscoder !== undefined;
    if (spec.kube !== undefined) {
      const k = spec.kube;
      if (!k.serviceName || typeof k.servicePort !== 'number') {
        this.#reports.error(u, 'spec.kube', 'needs serviceName and servicePort');
        return undefined;
      }
      const r = resolveBackend({ serviceNamespace: k.serviceNamespace || namespaceOf(u), serviceName: k.serviceName, servicePort: k.servicePort }, this.#lookups, 'spec.kube');
      if (r.problem !== undefined) this.#reports.warn(u, '', r.problem.message);
      const protocol = h2c ? 'h2c' : spec.useHttp2 === false ? 'http1' : r.cluster.protocol;
      return { cluster: { ...r.cluster, name, protocol }, upstream: u, ...(k.serviceSpec !== undefined && { serviceSpec: k.serviceSpec }), label };
    }
    if (spec.static !== undefined) {
      const endpoints = this.#staticEndpoints(u);
      if (endpoints === undefined) return undefined;
      const s = spec.static;
      const plainTls = s.useTls === true || (s.useTls === undefined && endpoints.some((e) => e.port === 443));
      if (plainTls) {
        this.#reports.warn(u, 'spec.static.useTls', `TLS to upstreams is not supported by Sluice: requests are sent as plain ${h2c ? 'h2c' : 'HTTP'}${s.useTls === undefined ? ' (Gloo turns TLS on for port 443)' : ''}`);
      }
      const type = endpoints.every((e) => isIP(e.address) !== 0) ? 'static' : 'dns';
      return { cluster: { name, protocol: h2c ? 'h2c' : 'http1', type, endpoints }, upstream: u, ...(s.serviceSpec !== undefined && { serviceSpec: s.serviceSpec }), label };
    }
    const aws = spec.aws ?? {};
    if (!aws.region) this.#reports.error(u, 'spec.aws.region', 'required');
    if (!aws.secretRef?.name) this.#reports.error(u, 'spec.aws.secretRef', 'required (a Secret with aws_access_key_id and aws_secret_access_key)');
    if (aws.endpoint !== undefined && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(aws.endpoint)) this.#reports.error(u, 'spec.aws.endpoint', 'must be an http:// or https:// URL');
    if (!aws.region || !aws.secretRef?.name) return undefined;
    return { upstream: u, label };
  }

  #staticEndpoints(u: Upstream): Endpoint[] | undefined {
    const hosts = u.spec.static?.hosts ?? [];
    if (hosts.length === 0) {
      this.#reports.error(u, 'spec.static.hosts', 'must list at least one host');
      return undefined;
    }
    const out: Endpoint[] = [];
    let ok = true;
    hosts.forEach((h, i) => {
      const at = `spec.static.hosts[${i}]`;
      const addr = h.addr ?? '';
      if (isIP(addr) === 0 && !isHostName(addr)) {
        this.#reports.error(u, `${at}.addr`, `must be an IP address or a DNS name, got ${JSON.stringify(addr)}`);
        ok = false;
      } else if (typeof h.port !== 'number' || h.port < 1 || h.port > 65535) {
        this.#reports.error(u, `${at}.port`, 'must be 1..65535');
        ok = false;
      } else out.push({ address: addr.toLowerCase(), port: h.port });
    });
    return ok ? out : undefined;
  }
}
