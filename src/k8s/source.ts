// Kubernetes as a Source: list+watch Knative Ingresses, the Gateway API and Gloo Edge kinds (when their
// CRDs are served), Namespaces, Services, EndpointSlices, TLS Secrets and, one by one, the other Secrets
// Gloo Upstreams name; push the whole current state (ingresses of our class, every Gateway API and Gloo
// object, plus only the Services and Secrets they reference; every Service once Gloo is in use) after
// changes settle.
// The translator is the same as in file mode; this module only replaces where resources come from.
import { keyOf, storeKind, type EndpointSlice, type KIngress, type Origin, type Rejection, type Resource, type Sourced } from '../api/types.ts';
import { validateDocument } from '../api/validate.ts';
import { INGRESS_API_VERSION, INGRESS_CLASS_ANNOTATION, SERVICE_NAME_LABEL } from '../api/types.ts';
import type { Source, SourceState } from '../sources/types.ts';
import { paths, type KubeClient, type KubeObject } from './client.ts';
import { Reflector } from './reflector.ts';
import { Interner, projectEndpointSlice, projectService, slim } from './slim.ts';
import { sharedKubeValues, shareRepeatedParts } from './shared-parts.ts';
import { DiscoveredReflector } from './discovered-reflector.ts';
import { GATEWAY_API_KINDS, KNATIVE_INGRESS_KIND, type CrdKindInfo, type GatewayApiKind } from './gateway-api-kinds.ts';
import { gatewaySecrets, routeServices } from './gateway-references.ts';
import { GATEWAY_API_V1, GATEWAY_API_V1BETA1 } from '../gateway-api/types.ts';
import { GLOO_KINDS } from './gloo-kinds.ts';
import { policyServices, SLUICE_KINDS } from './sluice-kinds.ts';
import { upstreamSecrets, virtualServiceSecrets } from './gloo-references.ts';
import { NamedSecrets } from './named-secrets.ts';
import { CONFIG_SLUICE } from '../sources/config-sluice.ts';
import { PushedState, References, type IngressRefs } from './pushed-state.ts';
import { kindKey, objectKey } from './keys.ts';

export interface KubernetesSourceOptions {
  /** only ingresses annotated `networking.knative.dev/ingress.class: <ingressClass>` are pushed */
  readonly ingressClass: string;
  /** changes arriving within this window are pushed once (default 20 ms) */
  readonly coalesceMs?: number;
  /** retry backoff of the watches (defaults 200 ms doubling to 5 s) */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** discovery retries while a CRD (Gateway API, Knative Ingress) is not served (defaults 1 s doubling to 30 s) */
  readonly minDiscoveryMs?: number;
  readonly maxDiscoveryMs?: number;
  readonly onError?: (err: unknown) => void;
  /** told once when a CRD-defined kind is not served (its CRD is not installed) */
  readonly onMissing?: (info: CrdKindInfo) => void;
  /** `namespace/name` of the Service in front of the Gateway API listeners: pushed, so Gateways report its addresses */
  readonly gatewayApiService?: string;
  /** the gateway's namespace: its `config-sluice` ConfigMap (gateway-wide settings) is watched there */
  readonly configNamespace?: string;
}

/** A live Gateway API object and the path of its served version, for the status writer. */
/** What a source's listener hears: a new state pushed, or statuses alone changed (those ingresses', and maybe other kinds'). */
export type SourceChange =
  /** a new state: `ingresses` (`namespace/name`) changed in it, or their statuses did; any may have, when undefined (read whole) */
  | { readonly statusOnly: false; readonly ingresses?: ReadonlySet<string> }
  | { readonly statusOnly: true; readonly ingresses: ReadonlySet<string> };

export interface LiveObject {
  readonly object: KubeObject;
  readonly path: string;
}

const CLUSTER: Origin = { cluster: true };

/** What validating a cached object gave: the resource pushed (as the store takes it), a rejection, or neither (a kind not known). */
type Validated = Sourced | { readonly rejection: Rejection } | { readonly ignored: true };
const IGNORED: Validated = { ignored: true };

/** `resource` is `o` field for field, in the same order, its metadata too (validation made a copy of `o` and changed nothing). */
function sameResource(resource: Resource, o: KubeObject): boolean {
  const r = resource as unknown as Record<string, unknown>;
  const x = o as Record<string, unknown>;
  const keys = Object.keys(r);
  const oKeys = Object.keys(x);
  if (keys.length !== oKeys.length || keys.some((k, i) => k !== oKeys[i] || (k !== 'metadata' && r[k] !== x[k]))) return false;
  const m = r.metadata as Record<string, unknown>;
  const om = x.metadata as Record<string, unknown> | undefined;
  if (om === undefined) return false;
  const mKeys = Object.keys(m);
  const omKeys = Object.keys(om);
  return mKeys.length === omKeys.length && mKeys.every((k, i) => k === omKeys[i] && m[k] === om[k]);
}

/** A list item may lack apiVersion/kind (the API server omits them in lists); restore them. */
function typed<T extends Resource>(o: KubeObject, apiVersion: T['apiVersion'], kind: T['kind']): T {
  return { ...o, apiVersion, kind } as unknown as T;
}

/**
 * The apiVersion an object is validated as: v1beta1 GatewayClasses, Gateways and HTTPRoutes have the
 * v1 schema (the CRDs convert with `None`), so they are read as v1; ReferenceGrant has both.
 */
function validatedAs(kind: GatewayApiKind, served: string | undefined): Resource['apiVersion'] {
  return (kind === 'ReferenceGrant' && served === 'v1beta1' ? GATEWAY_API_V1BETA1 : GATEWAY_API_V1) as Resource['apiVersion'];
}

export class KubernetesSource implements Source {
  readonly #opts: KubernetesSourceOptions;
  readonly #ingresses: DiscoveredReflector;
  readonly #services: Reflector<KubeObject>;
  readonly #slices: Reflector<KubeObject>;
  readonly #secrets: Reflector<KubeObject>;
  /** non-TLS Secrets Gloo Upstreams name (Lambda credentials), each watched by name */
  readonly #namedSecrets: NamedSecrets;
  readonly #namespaces: Reflector<KubeObject>;
  /** the one ConfigMap read, `config-sluice` in the gateway's namespace (by name: no other reaches memory) */
  readonly #configSluice: Reflector<KubeObject> | undefined;
  readonly #gatewayApi: ReadonlyMap<GatewayApiKind, DiscoveredReflector>;
  /** Gloo Edge kinds, by store kind */
  readonly #gloo: ReadonlyMap<string, DiscoveredReflector>;
  /** Sluice's policy kinds (sluice.dev), by store kind */
  readonly #policies: ReadonlyMap<string, DiscoveredReflector>;
  readonly #listeners = new Set<(change: SourceChange) => void>();
  /** `namespace/name` of the ingresses whose status alone changed since the listeners were last told */
  #statusKeys = new Set<string>();
  #push: ((state: SourceState) => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #statusTimer: NodeJS.Timeout | undefined;
  #started = false;
  /**
   * validation results by object identity, with the resource as pushed: the caches keep an object until
   * it changes, and the store tells changes apart by identity, so an unchanged object is pushed as the same one
   */
  readonly #validated = new WeakMap<KubeObject, Validated>();
  /** what the last push held, and who named which backend then (undefined until the first whole read) */
  readonly #pushed = new PushedState();
  #refs: References | undefined;
  /** something changed that the next push reads whole (a relist, a kind other than those below) */
  #whole = true;
  /** else `namespace/name` of the objects of these kinds changed since the last push */
  #dirty = { ingresses: new Set<string>(), services: new Set<string>(), slices: new Set<string>(), secrets: new Set<string>() };
  /** the ingresses the last push changed (undefined: it was read whole) */
  #pushedIngresses: ReadonlySet<string> | undefined;

  constructor(client: KubeClient, opts: KubernetesSourceOptions) {
    this.#opts = opts;
    const common = { minBackoffMs: opts.minBackoffMs, maxBackoffMs: opts.maxBackoffMs, onChange: () => this.#changed(), onError: opts.onError };
    // The kinds there are thousands of say which object changed: a push then looks at those alone.
    const tracked = (dirty: Set<string>) => ({ ...common, onChange: (key?: string) => this.#changed(dirty, key) });
    // Kinds Sluice only reads: kubectl's last-applied copy of each is dropped as well.
    const readOnly = { ...common, dropLastApplied: true };
    // The two kinds there are most of: kept as projections of what is read, sharing repeated strings.
    const strings = new Interner();
    const parts = sharedKubeValues(strings);
    this.#services = new Reflector(client, { ...readOnly, ...tracked(this.#dirty.services), path: paths.services(), project: (o) => projectService(o, strings, parts) });
    this.#slices = new Reflector(client, { ...readOnly, ...tracked(this.#dirty.slices), path: paths.endpointSlices(), labelSelector: SERVICE_NAME_LABEL, project: (o) => projectEndpointSlice(o, strings, parts) });
    // Only TLS secrets: the server filters, so other secrets never reach this process's memory.
    this.#secrets = new Reflector(client, { ...readOnly, ...tracked(this.#dirty.secrets), path: paths.secrets(), fieldSelector: 'type=kubernetes.io/tls' });
    this.#namedSecrets = new NamedSecrets(client, readOnly);
    // Namespace labels are what Gateway listeners' allowedRoutes selectors match.
    this.#namespaces = new Reflector(client, { ...readOnly, path: paths.namespaces() });
    if (opts.configNamespace !== undefined) this.#configSluice = new Reflector(client, { ...readOnly, path: paths.configMaps(opts.configNamespace), fieldSelector: `metadata.name=${CONFIG_SLUICE}` });
    // The status writer still hears of status changes (someone else's write is corrected), the translator not.
    const discovery = { ...common, onStatusChange: () => this.#statusChanged(), minDiscoveryMs: opts.minDiscoveryMs, maxDiscoveryMs: opts.maxDiscoveryMs, onMissing: opts.onMissing };
    // Knative's Ingress CRD is missing where only the Gateway API is used: that must not hold up serving.
    // Which ingress's status changed is passed on, so the status writer looks at that one alone.
    // Ingresses keep one object per distinct part of their spec (Knative repeats paths and splits), and
    // one status for all those whose status is equal (the leader's writes, coming back by the watch).
    const statuses = sharedKubeValues(strings);
    const project = (o: KubeObject): KubeObject => {
      const s = slim(o, false);
      if (s.spec === undefined && s.status === undefined) return s;
      const shared = { ...s };
      if (s.spec !== undefined) shared.spec = shareRepeatedParts(s.spec, strings);
      if (s.status !== undefined) shared.status = statuses.share(s.status);
      return shared;
    };
    this.#ingresses = new DiscoveredReflector(client, KNATIVE_INGRESS_KIND, { ...discovery, ...tracked(this.#dirty.ingresses), onStatusChange: (o) => this.#statusChanged(o), project });
    this.#gatewayApi = new Map(GATEWAY_API_KINDS.map((info) => [info.kind, new DiscoveredReflector(client, info, discovery)]));
    this.#gloo = new Map(GLOO_KINDS.map((info) => [info.storeKind, new DiscoveredReflector(client, info, discovery)]));
    this.#policies = new Map(SLUICE_KINDS.map((info) => [info.storeKind, new DiscoveredReflector(client, info, discovery)]));
  }

  #core(): Reflector<KubeObject>[] {
    return [this.#services, this.#slices, this.#secrets, this.#namespaces];
  }

  async start(push: (state: SourceState) => void): Promise<void> {
    this.#push = push;
    const all = this.#core();
    for (const r of all) r.start();
    const crds = [this.#ingresses, ...this.#gatewayApi.values(), ...this.#gloo.values(), ...this.#policies.values()];
    for (const r of crds) r.start();
    // A missing CRD does not hold up the first push: its kind is watched once it appears.
    await Promise.all([...all.map((r) => r.synced), ...crds.map((r) => r.settled)]);
    // The named Secrets are known only now: the first push waits (bounded) for them, so a Lambda route
    // does not start without its credentials; each arriving later is one more change, pushed as any other.
    this.#namedSecrets.want(this.#upstreamSecretKeys());
    await this.#namedSecrets.synced(5_000);
    // Bounded too: a ConfigMap Sluice may not read (an older install's RBAC) must not hold up serving.
    if (this.#configSluice) {
      this.#configSluice.start();
      await boundedWait(this.#configSluice.synced, 5_000);
    }
    this.#started = true;
    clearTimeout(this.#timer);
    this.#flush();
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    clearTimeout(this.#statusTimer);
    for (const r of [...this.#core(), this.#ingresses, ...this.#gatewayApi.values(), ...this.#gloo.values(), ...this.#policies.values()]) r.stop();
    this.#namedSecrets.stop();
    this.#configSluice?.stop();
    this.#push = undefined;
  }

  /** the live ingress object (with status and resourceVersion), for the status writer */
  ingress(namespace: string, name: string): KIngress | undefined {
    const o = this.#ingresses.get(namespace, name);
    return o && typed<KIngress>(o, INGRESS_API_VERSION, 'Ingress');
  }

  /** the live Gateway API object (with status, generation and resourceVersion) and its path, for the status writer */
  gatewayApiObject(kind: string, namespace: string, name: string): LiveObject | undefined {
    // Gloo kinds come by store kind (storeKind): `Gateway.gateway.solo.io` is Gloo's Gateway.
    const r = this.#gatewayApi.get(kind as GatewayApiKind) ?? this.#gloo.get(kind) ?? this.#policies.get(kind);
    const object = r?.get(namespace, name);
    const path = r?.path(namespace, name);
    return object && path ? { object, path } : undefined;
  }

  /** the cache's own Service or EndpointSlice object (for tests: what is pushed is this very object) */
  cached(kind: 'Service' | 'EndpointSlice', namespace: string, name: string): KubeObject | undefined {
    return (kind === 'Service' ? this.#services : this.#slices).get(namespace, name);
  }

  /** the EndpointSlices of any Service (including Sluice's own gateway Services, for the prober) */
  endpointSlicesOf(namespace: string, service: string): EndpointSlice[] {
    return this.#slices
      .items()
      .filter((s) => s.metadata?.namespace === namespace && s.metadata?.labels?.[SERVICE_NAME_LABEL] === service)
      .map((s) => typed<EndpointSlice>(s, 'discovery.k8s.io/v1', 'EndpointSlice'));
  }

  /**
   * called after each push (the prober re-reads replicas here), and after changes of status alone
   * (coalesced, naming the ingresses among them); returns an unsubscribe function
   */
  onPush(listener: (change: SourceChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** how many times each collection has been listed (relists after 410 included) */
  listCounts(): { ingresses: number; services: number; endpointSlices: number; secrets: number } {
    return { ingresses: this.#ingresses.lists, services: this.#services.lists, endpointSlices: this.#slices.lists, secrets: this.#secrets.lists };
  }

  #changed(dirty?: Set<string>, key?: string): void {
    if (dirty && key !== undefined) dirty.add(key);
    else this.#whole = true;
    if (!this.#started || this.#timer) return;
    this.#timer = setTimeout(() => this.#flush(), this.#opts.coalesceMs ?? 20);
  }

  #statusChanged(o?: KubeObject): void {
    if (!this.#started) return;
    if (o) this.#statusKeys.add(`${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`);
    if (this.#timer || this.#statusTimer) return;
    this.#statusTimer = setTimeout(() => {
      this.#statusTimer = undefined;
      const ingresses = this.#statusKeys;
      this.#statusKeys = new Set();
      for (const l of this.#listeners) l({ statusOnly: true, ingresses });
    }, this.#opts.coalesceMs ?? 20);
  }

  #flush(): void {
    this.#timer = undefined;
    if (!this.#push) return;
    this.#namedSecrets.want(this.#upstreamSecretKeys());
    this.#push(this.#next());
    // A push read whole names no ingresses: every status is looked at again (the pending status keys with
    // them); else the ingresses it changed and those whose status alone changed meanwhile.
    const pushed = this.#pushedIngresses;
    const ingresses = pushed === undefined ? undefined : new Set([...pushed, ...this.#statusKeys]);
    this.#statusKeys = new Set();
    clearTimeout(this.#statusTimer);
    this.#statusTimer = undefined;
    for (const l of this.#listeners) l({ statusOnly: false, ingresses });
  }

  /** `namespace/name` of every Secret a Gloo Upstream names (its Lambda credentials) */
  #upstreamSecretKeys(): Set<string> {
    const keys = new Set<string>();
    for (const o of this.#gloo.get('Upstream')?.items() ?? []) upstreamSecrets(o, keys);
    return keys;
  }

  /** the current state, read whole: ingresses of our class and the Services, EndpointSlices and Secrets they name */
  state(): SourceState {
    const c = this.#collect(new References());
    return { resources: [...c.resources.values()], rejections: [...c.rejections.values()] };
  }

  /** The state to push, with what changed since the last push: read whole only when a change asks for it. */
  #next(): SourceState {
    const d = this.#dirty;
    const changed = { ingresses: [...d.ingresses], services: [...d.services], slices: [...d.slices], secrets: [...d.secrets] };
    for (const set of Object.values(d)) set.clear();
    // Gloo routes to any Service and names Secrets of its own: those states are read whole each time.
    if (this.#whole || this.#refs === undefined || this.#namedSecrets.items().length > 0) {
      this.#whole = false;
      const refs = new References();
      const c = this.#collect(refs);
      this.#refs = refs;
      this.#pushed.replace(c.resources, c.rejections);
      this.#pushedIngresses = undefined;
    } else {
      this.#apply(this.#refs, changed);
      this.#pushedIngresses = new Set(changed.ingresses);
    }
    return this.#pushed.next();
  }

  /** Applies changes of ingresses, Services, EndpointSlices and TLS Secrets to the last push. */
  #apply(refs: References, changed: { ingresses: string[]; services: string[]; slices: string[]; secrets: string[] }): void {
    const services = new Set(changed.services);
    const secrets = new Set(changed.secrets);
    const slices = new Set(changed.slices);
    for (const key of changed.ingresses) {
      const o = this.#ingresses.get(...split(key));
      const ours = o !== undefined && o.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION] === this.#opts.ingressClass;
      const ing = ours ? this.#set(`Ingress ${key}`, o, INGRESS_API_VERSION, 'Ingress') : this.#set(`Ingress ${key}`, undefined, INGRESS_API_VERSION, 'Ingress');
      const named = refs.setIngress(key, ours ? ingressRefs(o, ing as KIngress | undefined) : undefined);
      for (const s of named.services) services.add(s);
      for (const s of named.secrets) secrets.add(s);
    }
    for (const key of services) {
      const o = this.#services.get(...split(key));
      this.#set(`Service ${key}`, o && refs.wantsService(key) ? o : undefined, 'v1', 'Service');
      for (const s of refs.slicesOf(key)) slices.add(s);
    }
    for (const key of slices) {
      const o = this.#slices.get(...split(key));
      const svc = o?.metadata?.labels?.[SERVICE_NAME_LABEL];
      const service = o && svc ? objectKey(o.metadata?.namespace, svc) : undefined;
      refs.setSlice(key, service);
      this.#set(`EndpointSlice ${key}`, o && service && refs.wantsService(service) ? o : undefined, 'discovery.k8s.io/v1', 'EndpointSlice');
    }
    for (const key of secrets) {
      const o = this.#secrets.get(...split(key));
      this.#set(`Secret ${key}`, o && o.type === 'kubernetes.io/tls' && refs.wantsSecret(key) ? o : undefined, 'v1', 'Secret');
    }
  }

  /** Pushes `o` (validated) under `key`, or nothing; returns the resource when valid. */
  #set(key: string, o: KubeObject | undefined, apiVersion: Resource['apiVersion'], kind: Resource['kind']): Resource | undefined {
    const v = o && this.#validate(o, apiVersion, kind);
    const sourced = v && 'resource' in v ? v : undefined;
    this.#pushed.set(key, sourced);
    this.#pushed.reject(key, v && 'rejection' in v ? v.rejection : undefined);
    return sourced?.resource;
  }

  /**
   * Validated exactly as file mode does, once per object (the caches keep an object until it changes).
   * The resource is the cached object itself when validation would copy it unchanged (a projection that
   * already carries apiVersion, kind and namespace): 50,000 objects are not held twice.
   */
  #validate(o: KubeObject, apiVersion: Resource['apiVersion'], kind: Resource['kind']): Validated {
    let v = this.#validated.get(o);
    if (!v) {
      const outcome = validateDocument({ ...o, apiVersion, kind }, CLUSTER);
      v = outcome.kind === 'resource' ? { resource: sameResource(outcome.resource, o) ? (o as unknown as Resource) : outcome.resource, origin: CLUSTER } : outcome.kind === 'rejected' ? { rejection: outcome.rejection } : IGNORED;
      this.#validated.set(o, v);
    }
    return v;
  }

  /** The whole state by `storeKind namespace/name`; who names which backend is recorded in `refs`. */
  #collect(refs: References): { resources: Map<string, Sourced>; rejections: Map<string, Rejection> } {
    const resources = new Map<string, Sourced>();
    const rejections = new Map<string, Rejection>();
    // A rejected object keeps its last good version in the store (the store reads the rejection).
    const accept = (o: KubeObject, apiVersion: Resource['apiVersion'], kind: Resource['kind']): Resource | undefined => {
      const key = kindKey(storeKind({ apiVersion, kind }), keyOf({ namespace: o.metadata?.namespace, name: o.metadata?.name ?? '' }));
      const v = this.#validate(o, apiVersion, kind);
      if ('resource' in v) resources.set(key, v);
      else if ('rejection' in v) rejections.set(rejections.has(key) ? `${key} #${rejections.size}` : key, v.rejection);
      return 'resource' in v ? v.resource : undefined;
    };
    const services = refs.fixedServices;
    const secrets = refs.fixedSecrets;
    if (this.#opts.gatewayApiService) services.add(this.#opts.gatewayApiService);
    for (const o of this.#ingresses.items()) {
      if (o.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION] !== this.#opts.ingressClass) continue;
      const ing = accept(o, INGRESS_API_VERSION, 'Ingress') as KIngress | undefined;
      refs.setIngress(objectKey(o.metadata?.namespace, o.metadata?.name), ingressRefs(o, ing));
    }
    // Every Gateway API object is pushed: the translator decides which GatewayClasses are Sluice's.
    for (const [kind, r] of this.#gatewayApi) {
      for (const o of r.items()) {
        accept(o, validatedAs(kind, r.version), kind);
        if (kind === 'HTTPRoute' || kind === 'GRPCRoute') routeServices(o, services);
        else if (kind === 'Gateway') gatewaySecrets(o, secrets);
      }
    }
    // Every Gloo object is pushed; since every Service port is an implicit Upstream, any Service may
    // be routed to once Gloo is in use, so then every Service comes along.
    let gloo = false;
    for (const r of this.#gloo.values()) {
      for (const o of r.items()) {
        gloo = true;
        accept(o, `${r.info.group}/${r.version ?? 'v1'}` as Resource['apiVersion'], r.info.kind as Resource['kind']);
        if (r.info.kind === 'VirtualService') virtualServiceSecrets(o, secrets);
      }
    }
    if (gloo) for (const o of this.#services.items()) services.add(`${o.metadata?.namespace}/${o.metadata?.name}`);
    // Sluice's policies; a BackendPolicy's target Services come along (its status says whether they exist).
    for (const r of this.#policies.values()) {
      for (const o of r.items()) {
        accept(o, `${r.info.group}/${r.version ?? 'v1alpha1'}` as Resource['apiVersion'], r.info.kind as Resource['kind']);
        if (r.info.kind === 'BackendPolicy') policyServices(o, services);
      }
    }
    for (const o of this.#namespaces.items()) accept(o, 'v1', 'Namespace');
    for (const o of this.#services.items()) {
      const key = `${o.metadata?.namespace}/${o.metadata?.name}`;
      if (refs.wantsService(key)) accept(o, 'v1', 'Service');
    }
    for (const o of this.#slices.items()) {
      const service = objectKey(o.metadata?.namespace, o.metadata?.labels?.[SERVICE_NAME_LABEL]);
      refs.setSlice(objectKey(o.metadata?.namespace, o.metadata?.name), service);
      if (refs.wantsService(service)) accept(o, 'discovery.k8s.io/v1', 'EndpointSlice');
    }
    // config-sluice's default-certificate names a TLS Secret too.
    for (const o of this.#configSluice?.items() ?? []) {
      const named = (o.data as Record<string, unknown> | undefined)?.['default-certificate'];
      if (typeof named === 'string') secrets.add(named.trim());
    }
    for (const o of this.#secrets.items()) {
      if (o.type === 'kubernetes.io/tls' && refs.wantsSecret(`${o.metadata?.namespace}/${o.metadata?.name}`)) accept(o, 'v1', 'Secret');
    }
    // Named by an Upstream (watched because named); a TLS one that is also named elsewhere is pushed once.
    const named = this.#upstreamSecretKeys();
    for (const o of this.#namedSecrets.items()) {
      const key = `${o.metadata?.namespace}/${o.metadata?.name}`;
      if (named.has(key) && !(o.type === 'kubernetes.io/tls' && refs.wantsSecret(key))) accept(o, 'v1', 'Secret');
    }
    for (const o of this.#configSluice?.items() ?? []) accept(o, 'v1', 'ConfigMap');
    return { resources, rejections };
  }
}

const split = (key: string): [string, string] => {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
};

/** The Services and TLS Secrets an ingress names; a rejected one is still served from its last good version, which may name the same. */
function ingressRefs(o: KubeObject, ing: KIngress | undefined): IngressRefs {
  const spec = (ing?.spec ?? o.spec ?? {}) as KIngress['spec'];
  const ns = o.metadata?.namespace ?? 'default';
  const services = new Set<string>();
  const secrets = new Set<string>();
  for (const rule of Array.isArray(spec.rules) ? spec.rules : []) {
    for (const p of rule?.http?.paths ?? []) for (const s of p?.splits ?? []) services.add(objectKey(s?.serviceNamespace ?? ns, s?.serviceName));
  }
  for (const tls of Array.isArray(spec.tls) ? spec.tls : []) if (tls?.secretName) secrets.add(`${tls.secretNamespace ?? ns}/${tls.secretName}`);
  return { services: [...services], secrets: [...secrets] };
}

async function boundedWait(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
