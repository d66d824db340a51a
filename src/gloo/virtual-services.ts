// One VirtualService -> a virtual host (its domains, its routes with delegation followed) and the
// certificate its sslConfig names. Where it is served (Knative's external listeners or Gloo
// Gateways' ports) is translate.ts's choice.
import { isHostName } from '../api/grammar.ts';
import type { Route, TlsCertificate, VirtualHost } from '../snapshot/types.ts';
import { keyPair } from '../translate/tls.ts';
import { flattenRoutes } from './delegation.ts';
import { translateOptions } from './options.ts';
import { namespaceOf, objectKey } from './report.ts';
import { translateRoute, type RouteContext } from './routes.ts';
import type { VirtualService } from './types.ts';

export interface TranslatedVirtualService {
  readonly vs: VirtualService;
  readonly key: string;
  readonly vhost: VirtualHost;
  /** sslConfig's certificate (named `namespace/secret`), when it resolves */
  readonly certificate?: Omit<TlsCertificate, 'name'> & { readonly secret: string };
  readonly ssl: boolean;
}

export function translateVirtualService(vs: VirtualService, ctx: RouteContext): TranslatedVirtualService {
  const ns = namespaceOf(vs);
  const key = objectKey(vs);
  const vh = vs.spec.virtualHost ?? {};
  const domains = domainsOf(vs, ctx);
  const options = translateOptions(vh.options, () => ({ problem: 'not available on a virtual host' }));
  for (const f of options.errors) ctx.reports.error(vs, `spec.virtualHost.options.${f.path}`, f.message);
  for (const f of options.warnings) ctx.reports.warn(vs, `spec.virtualHost.options.${f.path}`, f.message);
  const routes: Route[] = [];
  for (const flat of flattenRoutes(ctx.set, ctx.reports, vs, vh.routes ?? [], 'spec.virtualHost.routes')) {
    routes.push(...translateRoute(flat, { ingress: key, options }, ctx));
  }
  const vhost: VirtualHost = { name: `gloo:${ns}/${vs.metadata.name}`, domains, ingress: key, httpOption: 'Enabled', routes };
  const ssl = vs.spec.sslConfig !== undefined;
  const certificate = ssl ? certificateOf(vs, domains, ctx) : undefined;
  return { vs, key, vhost, ssl, ...(certificate !== undefined && { certificate }) };
}

// Gloo's domains: exact names, `*.suffix` wildcards, or `*` (any host); no domains means `*`.
// Envoy compares them with the Host header, port included; Sluice matches hosts without their
// port, so a `:port` suffix is dropped.
function domainsOf(vs: VirtualService, ctx: RouteContext): string[] {
  const written = vs.spec.virtualHost?.domains ?? [];
  const out = new Set<string>();
  written.forEach((d, i) => {
    const host = d.toLowerCase().replace(/:\d+$/, '');
    if (host === '*' || isHostName(host, true)) out.add(host);
    else ctx.reports.error(vs, `spec.virtualHost.domains[${i}]`, `must be a host name, "*.suffix" or "*", got ${JSON.stringify(d)}`);
  });
  if (written.length === 0) out.add('*');
  return [...out].sort();
}

function certificateOf(vs: VirtualService, domains: readonly string[], ctx: RouteContext): TranslatedVirtualService['certificate'] {
  const ssl = vs.spec.sslConfig ?? {};
  if (!ssl.secretRef?.name) {
    ctx.reports.error(vs, 'spec.sslConfig.secretRef', 'required (sslFiles and SDS are not supported by Sluice)');
    return undefined;
  }
  const secret = `${ssl.secretRef.namespace || namespaceOf(vs)}/${ssl.secretRef.name}`;
  const found = ctx.lookups.secret(secret);
  if (found === undefined) {
    ctx.reports.error(vs, 'spec.sslConfig.secretRef', `Secret "${secret}" not found`);
    return undefined;
  }
  const pair = keyPair(found);
  if (typeof pair === 'string') {
    ctx.reports.error(vs, 'spec.sslConfig.secretRef', `Secret "${secret}" ${pair}`);
    return undefined;
  }
  const hosts = (ssl.sniDomains !== undefined && ssl.sniDomains.length > 0 ? ssl.sniDomains.map((d) => d.toLowerCase()) : domains).filter((d) => d !== '*');
  return { secret, hosts: [...new Set(hosts)].sort(), ...pair };
}
