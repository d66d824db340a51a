// One ingress -> its virtual hosts, clusters, certificates and problems, computed on its own
// (as net-kourier translates each ingress separately): nothing here looks at other ingresses,
// so a broken ingress cannot disturb the others. Conflicts between ingresses are settled in merge.ts.
import { INGRESS_CLASS_ANNOTATION, type HTTPOption, type IngressRule, type IngressSpec, type KIngress, type Origin, type Sourced } from '../api/types.ts';
import type { Cluster, KnativeListener, TlsCertificate, VirtualHost } from '../snapshot/types.ts';
import { applyDefaults } from './defaults.ts';
import { ingressHash } from './hash.ts';
import { expandedHosts } from './hosts.ts';
import type { Lookups } from './lookups.ts';
import type { TranslateOptions } from './options.ts';
import type { Problem } from './problems.ts';
import { ruleRoutes, type RouteMemo, type RuleRoutes } from './routes.ts';
import { resolveTls } from './tls.ts';

export interface TranslatedIngress {
  readonly key: string;
  /** where the translated version came from */
  readonly origin: Origin;
  readonly namespace: string;
  readonly name: string;
  readonly generation?: number;
  readonly hash: string;
  readonly httpOption: HTTPOption;
  readonly vhosts: Record<KnativeListener, VirtualHost[]>;
  readonly clusters: readonly Cluster[];
  readonly tls: readonly TlsCertificate[];
  readonly problems: readonly Problem[];
  /**
   * Services (`namespace/name`, sorted) that splits with traffic send to and that have no ready
   * endpoints yet. A new version with any is not served while an older one can be (state.ts).
   */
  readonly waiting: readonly string[];
}

// A rule without hosts matches every host in Knative ("If the host is unspecified, the Ingress
// routes all traffic"); net-kourier writes that as Envoy's `*` domain, and so does Sluice.
export const CATCH_ALL_DOMAIN = '*';

// Knative's hash of an ingress depends on nothing else, so it is computed once per object (an
// ingress whose Services change is translated again but not hashed again).
const hashes = new WeakMap<KIngress, string>();

function cachedIngressHash(ing: KIngress, defaulted: IngressSpec): string {
  let h = hashes.get(ing);
  if (h === undefined) hashes.set(ing, (h = ingressHash(ing, defaulted)));
  return h;
}

export function translateIngress(sourced: Sourced<KIngress>, set: Lookups, options: TranslateOptions): TranslatedIngress {
  const ing = sourced.resource;
  const namespace = ing.metadata.namespace ?? 'default';
  const key = `${namespace}/${ing.metadata.name}`;
  // Route on the spec as Knative stores it (defaulted), so a single split without percent gets 100.
  const spec = applyDefaults(ing.spec ?? {});
  const httpOption: HTTPOption = spec.httpOption || 'Enabled';
  const vhosts: Record<KnativeListener, VirtualHost[]> = { external: [], local: [] };
  // Several paths usually share a backend; each cluster is kept once (by name: a cluster is a
  // function of its name and the resources, so same-named clusters are identical).
  const clusters = new Map<string, Cluster>();
  const problems: Problem[] = [];
  const waiting = new Set<string>();
  // Knative: "If multiple matching Hosts were provided, the first rule will take precedence",
  // so a domain already taken by an earlier rule of this ingress is left out of later ones.
  const taken: Record<KnativeListener, Set<string>> = { external: new Set(), local: new Set() };

  const memo: RouteMemo = { backends: new Map(), splits: new Map() };
  // Knative writes the same paths for an ingress's public and cluster-local rules: a rule whose
  // http block equals an earlier one's shares its routes (half the routes kept at scale). Not when
  // the routes had problems, whose messages name the rule they were found in.
  const done: Array<{ readonly http: IngressRule['http']; readonly routes: RuleRoutes }> = [];
  (spec.rules ?? []).forEach((rule, i) => {
    let r = done.find((d) => d.routes.problems.length === 0 && sameJson(d.http, rule.http))?.routes;
    if (r === undefined) done.push({ http: rule.http, routes: (r = ruleRoutes(rule, i, key, set, memo)) });
    for (const c of r.clusters) clusters.set(c.name, c);
    problems.push(...r.problems);
    for (const w of r.waiting) waiting.add(w);
    const domains = rule.hosts?.length ? expandedHosts(rule.hosts, options.clusterDomain) : [CATCH_ALL_DOMAIN];
    // ExternalIP rules are served on both listeners; ClusterLocal rules only inside the cluster.
    const local = rule.visibility === 'ClusterLocal';
    const listeners: KnativeListener[] = local ? ['local'] : ['external', 'local'];
    // httpOption concerns public hosts (as in net-kourier, which redirects only ExternalIP rules).
    const ruleOption: HTTPOption = local ? 'Enabled' : httpOption;
    for (const listener of listeners) {
      const free = domains.filter((d) => !taken[listener].has(d));
      free.forEach((d) => taken[listener].add(d));
      if (free.length === 0) continue;
      vhosts[listener].push({ name: `${key}/${i}`, domains: free, ingress: key, httpOption: ruleOption, routes: r.routes });
    }
  });

  const tls = resolveTls({ ...ing, spec }, set);
  problems.push(...tls.problems);
  // generation is set on the object, not added by `{ ...out, generation }`: V8 gives each clone of a
  // spread a map that freezing cannot share, so 10,000 frozen ingresses held 10,000 maps.
  const out: Mutable<TranslatedIngress> = {
    key,
    origin: sourced.origin,
    namespace,
    name: ing.metadata.name,
    hash: cachedIngressHash(ing, spec),
    httpOption,
    vhosts: { external: orNone(vhosts.external), local: orNone(vhosts.local) },
    clusters: [...clusters.values()],
    tls: orNone(tls.certificates),
    problems: orNone(problems),
    waiting: orNone([...waiting].sort()),
  };
  if (ing.metadata.generation !== undefined) out.generation = ing.metadata.generation;
  return out;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

// Most ingresses have no problems and no certificates, and many no cluster-local-only rule: their
// empty lists are one shared frozen list (tens of thousands fewer arrays kept at scale).
const NONE = Object.freeze([]) as never[];

function orNone<L extends readonly unknown[]>(list: L): L {
  return list.length === 0 ? (NONE as unknown as L) : list;
}

/** Deep equality of two JSON-like values (key order aside), without serializing them. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(b, k) || !sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** Whether this gateway serves the ingress, by its `networking.knative.dev/ingress.class` annotation. */
export function classMatches(ing: KIngress, options: TranslateOptions): boolean {
  const cls = ing.metadata.annotations?.[INGRESS_CLASS_ANNOTATION];
  if (cls === undefined) return !options.requireClass;
  return cls === options.ingressClass;
}
