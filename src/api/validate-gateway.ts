// Validation of the Gateway API's GatewayClass, Gateway and ReferenceGrant, and of v1 Namespace,
// with the rules of the v1.6.1 CRDs (OpenAPI patterns, enums, list limits and CEL rules) that
// Sluice relies on, so a file Sluice accepts would be accepted by a cluster. What the CRDs allow but
// Sluice does not serve (a TCP listener, a Passthrough TLS mode) is accepted here and reported in
// the object's status, as a controller does. Route kinds are in validate-routes.ts.
import { type Check, field, index, type Json } from './check.ts';
import { isHostName } from './grammar.ts';
import { isIP } from 'node:net';

// SectionName and ProtocolType patterns of apis/v1/shared_types.go and gateway_types.go.
const SECTION_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const PROTOCOL = /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9]+$/;
const CONTROLLER_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/;
const FROM = ['All', 'Same', 'Selector'] as const;
const TLS_MODES = ['Terminate', 'Passthrough'] as const;
const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

export function checkGatewayClass(c: Check, doc: Json): void {
  const spec = c.object(doc.spec, 'spec', true);
  if (spec === undefined) return;
  c.grammar(spec.controllerName, 'spec.controllerName', true, (s) => CONTROLLER_NAME.test(s), 'a domain-prefixed path (example.com/controller)');
  c.string(spec.description, 'spec.description');
}

export function checkGateway(c: Check, doc: Json): void {
  const spec = c.object(doc.spec, 'spec', true);
  if (spec === undefined) return;
  c.grammar(spec.gatewayClassName, 'spec.gatewayClassName', true, (s) => s.length <= 253, 'a name of at most 253 characters');
  const listeners = c.nonEmptyArray(spec.listeners, 'spec.listeners');
  if (listeners !== undefined && listeners.length > 64) c.fail('spec.listeners', 'must hold at most 64 listeners');
  const names = new Set<string>();
  listeners?.forEach((value, i) => {
    const at = index('spec.listeners', i);
    const name = checkListener(c, value, at);
    if (name === undefined) return;
    if (names.has(name)) c.fail(field(at, 'name'), `duplicate listener name ${JSON.stringify(name)}: listener names must be unique`);
    names.add(name);
  });
  const addresses = c.array(spec.addresses, 'spec.addresses');
  addresses?.forEach((value, i) => {
    const a = c.object(value, index('spec.addresses', i), true);
    if (a === undefined) return;
    c.string(a.type, field(index('spec.addresses', i), 'type'));
    c.string(a.value, field(index('spec.addresses', i), 'value'));
  });
  const infra = c.object(spec.infrastructure, 'spec.infrastructure');
  const params = infra === undefined ? undefined : c.object(infra.parametersRef, 'spec.infrastructure.parametersRef');
  if (params !== undefined) {
    c.string(params.group, 'spec.infrastructure.parametersRef.group');
    c.string(params.kind, 'spec.infrastructure.parametersRef.kind', true);
    c.string(params.name, 'spec.infrastructure.parametersRef.name', true);
  }
}

/** Returns the listener's name when it is usable. */
function checkListener(c: Check, value: unknown, at: string): string | undefined {
  const l = c.object(value, at, true);
  if (l === undefined) return undefined;
  const name = c.grammar(l.name, field(at, 'name'), true, (s) => s.length <= 253 && SECTION_NAME.test(s), 'a lower-case DNS name');
  checkHostname(c, l.hostname, field(at, 'hostname'), false);
  c.port(l.port, field(at, 'port'), true);
  const protocol = c.grammar(l.protocol, field(at, 'protocol'), true, (s) => s.length <= 255 && PROTOCOL.test(s), 'a protocol name (HTTP, HTTPS, ...)');
  const tls = c.object(l.tls, field(at, 'tls'));
  // CEL rules of the Gateway CRD: tls belongs to HTTPS and TLS listeners only, and they need it.
  if (tls !== undefined && (protocol === 'HTTP' || protocol === 'TCP' || protocol === 'UDP')) c.fail(field(at, 'tls'), `must not be set for protocol ${protocol}`);
  if (tls === undefined && (protocol === 'HTTPS' || protocol === 'TLS')) c.fail(field(at, 'tls'), `required for protocol ${protocol}`);
  if (tls !== undefined) checkListenerTLS(c, tls, field(at, 'tls'), protocol);
  checkAllowedRoutes(c, l.allowedRoutes, field(at, 'allowedRoutes'));
  return name;
}

function checkListenerTLS(c: Check, tls: Json, at: string, protocol: string | undefined): void {
  const mode = c.oneOf(tls.mode, field(at, 'mode'), TLS_MODES);
  if (mode === 'Passthrough' && protocol === 'HTTPS') c.fail(field(at, 'mode'), 'must be Terminate for protocol HTTPS');
  const refs = c.array(tls.certificateRefs, field(at, 'certificateRefs'));
  if (refs !== undefined && refs.length > 64) c.fail(field(at, 'certificateRefs'), 'must hold at most 64 references');
  if ((mode ?? 'Terminate') === 'Terminate' && (refs === undefined || refs.length === 0) && protocol === 'HTTPS') {
    c.fail(field(at, 'certificateRefs'), 'required when the TLS mode is Terminate');
  }
  refs?.forEach((value, i) => checkObjectRef(c, value, index(field(at, 'certificateRefs'), i)));
  c.stringMap(tls.options, field(at, 'options'));
}

/** group/kind/name/namespace of a reference (SecretObjectReference, BackendObjectReference). */
export function checkObjectRef(c: Check, value: unknown, at: string): void {
  const ref = c.object(value, at, true);
  if (ref === undefined) return;
  c.string(ref.group, field(at, 'group'));
  c.string(ref.kind, field(at, 'kind'));
  c.string(ref.name, field(at, 'name'), true);
  c.string(ref.namespace, field(at, 'namespace'));
}

function checkAllowedRoutes(c: Check, value: unknown, at: string): void {
  const ar = c.object(value, at);
  if (ar === undefined) return;
  const ns = c.object(ar.namespaces, field(at, 'namespaces'));
  if (ns !== undefined) {
    const from = c.oneOf(ns.from, field(field(at, 'namespaces'), 'from'), FROM);
    const selectorAt = field(field(at, 'namespaces'), 'selector');
    if (from === 'Selector' && ns.selector === undefined) c.fail(selectorAt, 'required when from is Selector');
    checkLabelSelector(c, ns.selector, selectorAt);
  }
  const kinds = c.array(ar.kinds, field(at, 'kinds'));
  if (kinds !== undefined && kinds.length > 8) c.fail(field(at, 'kinds'), 'must hold at most 8 kinds');
  kinds?.forEach((value, i) => {
    const k = c.object(value, index(field(at, 'kinds'), i), true);
    if (k === undefined) return;
    c.string(k.group, field(index(field(at, 'kinds'), i), 'group'));
    c.string(k.kind, field(index(field(at, 'kinds'), i), 'kind'), true);
  });
}

function checkLabelSelector(c: Check, value: unknown, at: string): void {
  const sel = c.object(value, at);
  if (sel === undefined) return;
  c.stringMap(sel.matchLabels, field(at, 'matchLabels'));
  const exprs = c.array(sel.matchExpressions, field(at, 'matchExpressions'));
  exprs?.forEach((value, i) => {
    const eAt = index(field(at, 'matchExpressions'), i);
    const e = c.object(value, eAt, true);
    if (e === undefined) return;
    c.string(e.key, field(eAt, 'key'), true);
    const op = c.oneOf(e.operator, field(eAt, 'operator'), OPERATORS);
    if (e.operator === undefined) c.fail(field(eAt, 'operator'), 'required');
    const values = c.array(e.values, field(eAt, 'values'));
    values?.forEach((v, j) => c.string(v, index(field(eAt, 'values'), j), true));
    // metav1.LabelSelector's own rule: In/NotIn need values, Exists/DoesNotExist take none.
    if ((op === 'In' || op === 'NotIn') && (values === undefined || values.length === 0)) c.fail(field(eAt, 'values'), `required for operator ${op}`);
    if ((op === 'Exists' || op === 'DoesNotExist') && values !== undefined && values.length > 0) c.fail(field(eAt, 'values'), `must be empty for operator ${op}`);
  });
}

/** A Gateway API Hostname: a DNS name, optionally `*.` prefixed, never an IP address. */
export function checkHostname(c: Check, value: unknown, at: string, required: boolean): string | undefined {
  const h = c.grammar(value, at, required, (s) => s.length <= 253 && isHostName(s, true) && !s.includes('_') && isIP(s) === 0, 'a host name (optionally *.-prefixed), not an IP address');
  return h;
}

export function checkReferenceGrant(c: Check, doc: Json): void {
  const spec = c.object(doc.spec, 'spec', true);
  if (spec === undefined) return;
  const from = c.nonEmptyArray(spec.from, 'spec.from');
  if (from !== undefined && from.length > 16) c.fail('spec.from', 'must hold at most 16 entries');
  from?.forEach((value, i) => {
    const at = index('spec.from', i);
    const f = c.object(value, at, true);
    if (f === undefined) return;
    c.string(f.group, field(at, 'group'));
    if (f.group === undefined) c.fail(field(at, 'group'), 'required');
    c.string(f.kind, field(at, 'kind'), true);
    c.string(f.namespace, field(at, 'namespace'), true);
  });
  const to = c.nonEmptyArray(spec.to, 'spec.to');
  if (to !== undefined && to.length > 16) c.fail('spec.to', 'must hold at most 16 entries');
  to?.forEach((value, i) => {
    const at = index('spec.to', i);
    const t = c.object(value, at, true);
    if (t === undefined) return;
    c.string(t.group, field(at, 'group'));
    if (t.group === undefined) c.fail(field(at, 'group'), 'required');
    c.string(t.kind, field(at, 'kind'), true);
    c.string(t.name, field(at, 'name'));
  });
}
