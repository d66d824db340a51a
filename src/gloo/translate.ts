// The Gloo Edge translator: a ResourceSet's Upstreams, UpstreamGroups, VirtualServices,
// RouteTables and Gateways -> virtual hosts (on Knative's external listeners when there is no Gloo
// Gateway, as Gloo's two default gateways serve every VirtualService; else on each Gateway's port),
// the clusters, certificates and function bindings they use, and every object's Gloo status.
// Pure: Services, endpoints and Secrets come through `lookups`. A resource the translator cannot
// handle is reported Rejected and never takes down another.
import { unsupportedFields } from '../api/known-fields-gloo.ts';
import type { FunctionBinding } from '../functions/types.ts';
import type { Cluster, ObjectStatus, PortListener, TlsCertificate, VirtualHost } from '../snapshot/types.ts';
import type { ResourceSet } from '../store/types.ts';
import type { Lookups } from '../translate/lookups.ts';
import type { TranslateOptions } from '../translate/options.ts';
import { glooPorts } from './gateways.ts';
import { objectKey, Reports } from './report.ts';
import type { RouteContext } from './routes.ts';
import { glooStatus, writerNamespace } from './status.ts';
import type { GlooResource } from './types.ts';
import { UpstreamIndex } from './upstreams.ts';
import { translateVirtualService, type TranslatedVirtualService } from './virtual-services.ts';

export interface GlooResult {
  /** virtual hosts for Knative's external listeners (--http, --https), sorted by name */
  readonly external: readonly VirtualHost[];
  /** Gloo Gateways' ports, sorted by name */
  readonly ports: readonly PortListener[];
  readonly clusters: readonly Cluster[];
  /** sslConfig certificates: for --https (`namespace/secret`) or Gateway ports (`gloo:namespace/secret`) */
  readonly tls: readonly TlsCertificate[];
  readonly functions: readonly FunctionBinding[];
  /** sorted by kind, namespace, name */
  readonly objectStatuses: readonly ObjectStatus[];
}

export function translateGloo(set: ResourceSet, lookups: Lookups, options: TranslateOptions): GlooResult {
  const reports = new Reports();
  const all: GlooResource[] = [
    ...set.glooUpstreams.values(),
    ...set.glooUpstreamGroups.values(),
    ...set.glooVirtualServices.values(),
    ...set.glooRouteTables.values(),
    ...set.glooGateways.values(),
  ];
  for (const o of all) {
    reports.of(o);
    try {
      for (const f of unsupportedFields(o, o.kind)) reports.warn(o, f.path, f.message);
    } catch (err) {
      reports.error(o, '', `cannot be read: ${(err as Error).message}`);
    }
  }
  const upstreams = new UpstreamIndex(set, lookups, reports);
  const functions = new Map<string, FunctionBinding>();
  const ctx: RouteContext = { set, lookups, reports, upstreams, functions };
  const translated: TranslatedVirtualService[] = [];
  for (const vs of [...set.glooVirtualServices.values()].sort((a, b) => cmp(objectKey(a), objectKey(b)))) {
    try {
      translated.push(translateVirtualService(vs, ctx));
    } catch (err) {
      // A bug meeting an input nobody foresaw: this VirtualService is not served, and says why.
      reports.error(vs, '', `cannot translate: ${(err as Error).message}`);
    }
  }

  let external: VirtualHost[] = [];
  let ports: PortListener[] = [];
  let tls: TlsCertificate[];
  if (set.glooGateways.size > 0) {
    const built = glooPorts([...set.glooGateways.values()], translated, reports, options);
    ports = built.ports;
    tls = built.tls;
    for (const v of translated) if (!built.served.has(v.key)) reports.warn(v.vs, '', `no Gateway selects this VirtualService${v.ssl ? ' (with ssl: true)' : ''}: it is not served`);
  } else {
    ({ external, tls } = defaultGateways(translated, reports));
  }
  const statuses = reports.all().map((r) => glooStatus(r, writerNamespace(options.publicDomain)));
  statuses.sort((a, b) => cmp(a.kind, b.kind) || cmp(a.apiVersion, b.apiVersion) || cmp(a.namespace, b.namespace) || cmp(a.name, b.name));
  return {
    external,
    ports,
    clusters: [...upstreams.clusters.values()].sort((a, b) => cmp(a.name, b.name)),
    tls,
    functions: [...functions.values()].sort((a, b) => cmp(a.name, b.name)),
    objectStatuses: statuses,
  };
}

// Without a Gloo Gateway, every VirtualService is served on Knative's external listeners (one
// table for --http and --https). A domain two VirtualServices claim stays with the first by
// namespace and name; the other is told so in its status.
function defaultGateways(translated: readonly TranslatedVirtualService[], reports: Reports): { external: VirtualHost[]; tls: TlsCertificate[] } {
  const claimed = new Map<string, string>();
  const external: VirtualHost[] = [];
  const certs = new Map<string, TlsCertificate>();
  for (const v of translated) {
    const domains = v.vhost.domains.filter((d) => {
      const other = claimed.get(d);
      if (other === undefined) {
          claimed.set(d, v.key);
          return true;
        }
      reports.warn(v.vs, 'spec.virtualHost.domains', `domain ${JSON.stringify(d)} is served by ${other}: not served here`);
      return false;
    });
    if (domains.length > 0) external.push({ ...v.vhost, domains });
    if (v.certificate !== undefined) {
      const { secret, ...pair } = v.certificate;
      const had = certs.get(secret);
      certs.set(secret, had === undefined ? { ...pair, name: secret } : { ...had, hosts: [...new Set([...had.hosts, ...pair.hosts])].sort() });
    }
  }
  return { external: external.sort((a, b) => cmp(a.name, b.name)), tls: [...certs.values()].sort((a, b) => cmp(a.name, b.name)) };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
