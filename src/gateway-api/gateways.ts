// GatewayClasses and Gateways -> the listeners Sluice serves, with each listener's status.
// A Gateway is served when its GatewayClass names Sluice's controller. Listeners of every served
// Gateway that share a port share one PortListener (file mode has one address for all Gateways);
// the port's protocol is that of the first listener by precedence (oldest Gateway, then
// namespace/name, then listener order, as the spec orders conflicts), later listeners of another
// protocol are Conflicted (ProtocolConflict), and a second listener of one Gateway with the same
// port and hostname is Conflicted (HostnameConflict). Across Gateways, one hostname on one port is
// no conflict: their routes merge (the file-mode contract).
import { isDeepStrictEqual } from 'node:util';
import type { AddressOptions } from './addresses.ts';
import { formatAddress } from '../net/address.ts';
import type { ClientValidation, TlsCertificate } from '../snapshot/types.ts';
import { keyPair } from '../translate/tls.ts';
import type { Lookups } from '../translate/lookups.ts';
import { condition, generationOf, type GatewayCondition } from './conditions.ts';
import { frontendValidation } from './frontend-validation.ts';
import { refAllowed, type GrantIndex } from './reference-grants.ts';
import { CONTROLLER_NAME, GATEWAY_GROUP, type ConfigMap, type Gateway, type GatewayClass, type Listener, type RouteGroupKind } from './types.ts';

export type RouteKind = 'HTTPRoute' | 'GRPCRoute';
const ROUTE_KINDS: readonly RouteKind[] = ['HTTPRoute', 'GRPCRoute'];

export interface ServedListener {
  readonly gateway: Gateway;
  /** `namespace/name` of the Gateway */
  readonly gatewayKey: string;
  readonly index: number;
  readonly spec: Listener;
  /** lower-case; undefined: every host */
  readonly hostname: string | undefined;
  /** routes may attach (Accepted True) */
  accepted: boolean;
  /** served on its port (accepted, not conflicted, with a certificate when HTTPS) */
  programmed: boolean;
  readonly kinds: readonly RouteKind[];
  /** the PortListener it is served on, and the address and port that one binds */
  readonly portName: string;
  readonly bindAddress: string;
  readonly bindPort: number;
  readonly certificates: readonly TlsCertificate[];
  /** HTTPS with spec.tls.frontend validation for its port */
  readonly clientValidation?: ClientValidation;
  /** keys of the routes attached to it (counted once per route) */
  readonly attached: Set<string>;
  /**
   * host names taken on it -> the route that took each first, by kind (HTTPRoute and GRPCRoute may
   * not share one); by kind so a route checks only the other kind's names, not every route's
   */
  readonly claims: Readonly<Record<RouteKind, Map<string, string>>>;
  conditions: GatewayCondition[];
}

export interface GatewayView {
  readonly gateway: Gateway;
  readonly key: string;
  readonly listeners: readonly ServedListener[];
  /** spec.addresses asks for an address Sluice does not serve: the Gateway is not accepted */
  readonly unsupportedAddress?: string;
  /** why spec.infrastructure.parametersRef is refused (Sluice takes no Gateway parameters) */
  readonly invalidParameters?: string;
}

export interface GatewaysResult {
  /** the GatewayClasses naming Sluice's controller, by name */
  readonly classes: readonly GatewayClass[];
  /** served Gateways, in precedence order */
  readonly gateways: readonly GatewayView[];
}

export interface GatewayOptions extends AddressOptions {
  readonly gatewayAddress: string;
  readonly portOffset: number;
}

const keyOfMeta = (m: { namespace?: string; name: string }): string => `${m.namespace ?? 'default'}/${m.name}`;

/** Oldest first (creationTimestamp, absent first), then namespace/name: the spec's conflict order. */
export function byAge(a: { metadata: { creationTimestamp?: string; namespace?: string; name: string } }, b: typeof a): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = keyOfMeta(a.metadata);
  const kb = keyOfMeta(b.metadata);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export function resolveGateways(
  classes: Iterable<GatewayClass>,
  gateways: Iterable<Gateway>,
  lookups: Lookups,
  grants: GrantIndex,
  options: GatewayOptions,
  configMaps: ReadonlyMap<string, ConfigMap> = new Map(),
): GatewaysResult {
  const ours = [...classes].filter((c) => c.spec.controllerName === CONTROLLER_NAME).sort(byAge);
  const names = new Set(ours.map((c) => c.metadata.name));
  const served = [...gateways].filter((g) => names.has(g.spec.gatewayClassName)).sort(byAge);
  const views = served.map((g) => gatewayView(g, lookups, grants, options, configMaps));
  settleConflicts(views);
  return { classes: ours, gateways: views };
}

/**
 * Whether two resolutions of a Gateway serve and report the same: then the earlier view (whose
 * listeners hold the routes attached to them) stands for the later (translate.ts patchGatewayApi).
 */
export function sameView(a: GatewayView, b: GatewayView): boolean {
  if (a.gateway !== b.gateway || a.unsupportedAddress !== b.unsupportedAddress || a.invalidParameters !== b.invalidParameters || a.listeners.length !== b.listeners.length) return false;
  return a.listeners.every((l, i) => {
    const m = b.listeners[i] as ServedListener;
    return (
      l.accepted === m.accepted &&
      l.programmed === m.programmed &&
      l.portName === m.portName &&
      l.bindAddress === m.bindAddress &&
      l.bindPort === m.bindPort &&
      isDeepStrictEqual([l.kinds, l.certificates, l.clientValidation, l.conditions], [m.kinds, m.certificates, m.clientValidation, m.conditions])
    );
  });
}

function gatewayView(gateway: Gateway, lookups: Lookups, grants: GrantIndex, options: GatewayOptions, configMaps: ReadonlyMap<string, ConfigMap>): GatewayView {
  const key = keyOfMeta(gateway.metadata);
  const generation = generationOf(gateway.metadata);
  const listeners = gateway.spec.listeners.map((spec, index): ServedListener => {
    const port = spec.port + options.portOffset;
    const portName = `gateway/${formatAddress({ address: options.gatewayAddress, port })}`;
    const hostname = spec.hostname ? spec.hostname.toLowerCase() : undefined;
    const base = { gateway, gatewayKey: key, index, spec, hostname, portName, bindAddress: options.gatewayAddress, bindPort: port, attached: new Set<string>(), claims: { HTTPRoute: new Map(), GRPCRoute: new Map() } };
    if (spec.protocol !== 'HTTP' && spec.protocol !== 'HTTPS') {
      const why = `protocol ${spec.protocol} is not supported (Sluice serves HTTP and HTTPS)`;
      return {
        ...base,
        accepted: false,
        programmed: false,
        kinds: [],
        certificates: [],
        conditions: [
          condition('Accepted', false, 'UnsupportedProtocol', why, generation),
          condition('Programmed', false, 'Invalid', why, generation),
          condition('ResolvedRefs', true, 'ResolvedRefs', 'All references resolved', generation),
          condition('Conflicted', false, 'NoConflicts', 'No conflicts', generation),
        ],
      };
    }
    const frontend = spec.protocol === 'HTTPS' ? frontendValidation(gateway, spec.port, configMaps, grants) : undefined;
    if (frontend?.unusable === true) {
      // Fail closed: serving the listener without the client certificate check it asks for would
      // let in clients the Gateway's owner means to keep out.
      const why = frontend.problem?.message ?? 'no usable CA certificate';
      return {
        ...base,
        accepted: false,
        programmed: false,
        kinds: routeKinds(spec.allowedRoutes?.kinds).kinds,
        certificates: [],
        conditions: [
          condition('Accepted', false, 'NoValidCACertificate', why, generation),
          condition('Programmed', false, 'Invalid', why, generation),
          condition('ResolvedRefs', false, frontend.problem?.reason ?? 'InvalidCACertificateRef', why, generation),
          condition('Conflicted', false, 'NoConflicts', 'No conflicts', generation),
        ],
      };
    }
    const kinds = routeKinds(spec.allowedRoutes?.kinds);
    const certs = spec.protocol === 'HTTPS' ? listenerCertificates(gateway, spec, lookups, grants) : { certificates: [], problem: undefined };
    const problem = kinds.problem ?? certs.problem ?? frontend?.problem;
    const programmed = spec.protocol === 'HTTP' || certs.certificates.length > 0;
    return {
      ...base,
      accepted: true,
      programmed,
      kinds: kinds.kinds,
      certificates: certs.certificates,
      ...(frontend?.validation !== undefined && { clientValidation: frontend.validation }),
      conditions: [
        condition('Accepted', true, 'Accepted', 'Listener accepted', generation),
        programmed
          ? condition('Programmed', true, 'Programmed', 'Listener programmed', generation)
          : condition('Programmed', false, 'Invalid', 'No usable certificate: see ResolvedRefs', generation),
        problem === undefined
          ? condition('ResolvedRefs', true, 'ResolvedRefs', 'All references resolved', generation)
          : condition('ResolvedRefs', false, problem.reason, problem.message, generation),
        condition('Conflicted', false, 'NoConflicts', 'No conflicts', generation),
      ],
    };
  });
  const unsupportedAddress = unsupportedAddressOf(gateway, options);
  const ref = gateway.spec.infrastructure?.parametersRef;
  // No kind of Gateway parameters exists for Sluice: any reference is one it cannot resolve.
  const invalidParameters = ref === undefined ? undefined : `parametersRef ${ref.group || 'core'}/${ref.kind ?? ''} ${ref.name ?? ''}: Sluice takes no Gateway parameters`;
  if (unsupportedAddress !== undefined || invalidParameters !== undefined) {
    // Not accepted: nothing is served and no route attaches (the listeners say why).
    for (const l of listeners) {
      l.accepted = false;
      l.programmed = false;
      l.conditions = l.conditions.map((c) => (c.type === 'Programmed' ? condition('Programmed', false, 'Invalid', 'The Gateway is not accepted', generation) : c));
    }
    return { gateway, key, listeners, ...(unsupportedAddress !== undefined ? { unsupportedAddress } : { invalidParameters }) };
  }
  return { gateway, key, listeners };
}

/**
 * Every listener binds the one --gateway-address (file mode), so a Gateway may ask only for it;
 * an address that is not it is reported (the spec: "MUST indicate this" in the conditions).
 */
function unsupportedAddressOf(gateway: Gateway, options: GatewayOptions): string | undefined {
  for (const a of gateway.spec.addresses ?? []) {
    const type = a.type ?? 'IPAddress';
    if (type !== 'IPAddress' || (a.value !== undefined && a.value !== '' && a.value !== options.gatewayAddress)) {
      return `address ${type} ${a.value ?? ''} cannot be assigned: every Gateway is served at ${options.gatewayAddress} (--gateway-address)`;
    }
  }
  return undefined;
}

interface Problem {
  readonly reason: string;
  readonly message: string;
}

/** allowedRoutes.kinds -> the kinds Sluice serves of them (InvalidRouteKinds for the others). */
function routeKinds(wanted: readonly RouteGroupKind[] | undefined): { kinds: RouteKind[]; problem?: Problem } {
  if (wanted === undefined || wanted.length === 0) return { kinds: [...ROUTE_KINDS] };
  const kinds: RouteKind[] = [];
  const bad: string[] = [];
  for (const k of wanted) {
    const group = k.group ?? GATEWAY_GROUP;
    if (group === GATEWAY_GROUP && (ROUTE_KINDS as readonly string[]).includes(k.kind)) {
      if (!kinds.includes(k.kind as RouteKind)) kinds.push(k.kind as RouteKind);
    } else bad.push(`${group === '' ? 'core' : group}/${k.kind}`);
  }
  return bad.length === 0 ? { kinds } : { kinds, problem: { reason: 'InvalidRouteKinds', message: `unsupported route kinds: ${bad.join(', ')}` } };
}

/** certificateRefs -> TLS certificates served for the listener's hostname (`*` without one). */
function listenerCertificates(gateway: Gateway, spec: Listener, lookups: Lookups, grants: GrantIndex): { certificates: TlsCertificate[]; problem?: Problem } {
  const gwNamespace = gateway.metadata.namespace ?? 'default';
  const hosts = [spec.hostname ? spec.hostname.toLowerCase() : '*'];
  const certificates: TlsCertificate[] = [];
  let problem: Problem | undefined;
  const fail = (reason: string, message: string): void => {
    problem ??= { reason, message };
  };
  for (const ref of spec.tls?.certificateRefs ?? []) {
    const group = ref.group ?? '';
    const kind = ref.kind ?? 'Secret';
    const namespace = ref.namespace ?? gwNamespace;
    const name = `${namespace}/${ref.name}`;
    if (group !== '' || kind !== 'Secret') {
      fail('InvalidCertificateRef', `certificateRef ${group === '' ? 'core' : group}/${kind} ${name}: only core Secrets are supported`);
      continue;
    }
    if (!refAllowed(grants, { group: GATEWAY_GROUP, kind: 'Gateway', namespace: gwNamespace }, { group: '', kind: 'Secret', namespace, name: ref.name })) {
      fail('RefNotPermitted', `Secret ${name} is in another namespace and no ReferenceGrant allows it`);
      continue;
    }
    const secret = lookups.secret(name);
    if (secret === undefined) {
      fail('InvalidCertificateRef', `Secret ${name} not found`);
      continue;
    }
    const pair = keyPair(secret);
    if (typeof pair === 'string') {
      fail('InvalidCertificateRef', `Secret ${name} ${pair}`);
      continue;
    }
    // Named apart from Knative's certificates: the same Secret may serve both, for different hosts.
    certificates.push({ name: `gateway:${name}`, hosts, gateway: true, ...pair });
  }
  return problem === undefined ? { certificates } : { certificates, problem };
}

/** Marks ProtocolConflict and HostnameConflict listeners (precedence: Gateway order, then listener order). */
function settleConflicts(views: readonly GatewayView[]): void {
  const protocolOf = new Map<string, string>();
  for (const view of views) {
    const generation = generationOf(view.gateway.metadata);
    const seen = new Set<string>();
    for (const l of view.listeners) {
      if (!l.accepted) continue;
      const first = protocolOf.get(l.portName);
      let reason: 'ProtocolConflict' | 'HostnameConflict' | undefined;
      if (first !== undefined && first !== l.spec.protocol) reason = 'ProtocolConflict';
      const hostKey = `${l.portName} ${l.hostname ?? ''}`;
      if (reason === undefined && seen.has(hostKey)) reason = 'HostnameConflict';
      if (reason === undefined) {
        protocolOf.set(l.portName, l.spec.protocol);
        seen.add(hostKey);
        continue;
      }
      const message =
        reason === 'ProtocolConflict'
          ? `port ${l.spec.port} is already served with protocol ${first ?? ''} by an earlier listener`
          : `another listener of this Gateway serves hostname ${l.hostname ?? '(any)'} on port ${l.spec.port}`;
      l.accepted = false;
      l.programmed = false;
      l.conditions = [
        condition('Accepted', false, reason, message, generation),
        condition('Programmed', false, reason, message, generation),
        l.conditions.find((c) => c.type === 'ResolvedRefs') ?? condition('ResolvedRefs', true, 'ResolvedRefs', 'All references resolved', generation),
        condition('Conflicted', true, reason, message, generation),
      ];
    }
  }
}
