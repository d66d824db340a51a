// ObjectStatus values for GatewayClasses, Gateways and routes: exactly the `status` Kubernetes
// mode writes (apis/v1 GatewayClassStatus, GatewayStatus, RouteStatus).
import type { SharedValues } from '../snapshot/shared-values.ts';
import type { ObjectStatus } from '../snapshot/types.ts';
import type { GatewayAddress } from './addresses.ts';
import type { RouteParentStatus } from './attach.ts';
import { condition, generationOf, type GatewayCondition } from './conditions.ts';
import type { GatewayView } from './gateways.ts';
import { GATEWAY_API_V1, GATEWAY_GROUP, type GatewayClass, type GRPCRoute, type HTTPRoute } from './types.ts';

export function classStatus(c: GatewayClass): ObjectStatus {
  const g = generationOf(c.metadata);
  return {
    apiVersion: GATEWAY_API_V1,
    kind: 'GatewayClass',
    namespace: '',
    name: c.metadata.name,
    generation: g,
    status: {
      conditions: [
        condition('Accepted', true, 'Accepted', 'Handled by Sluice', g),
        condition('SupportedVersion', true, 'SupportedVersion', 'Gateway API v1.6.1 (experimental channel)', g),
      ],
    },
  };
}

export function gatewayStatus(view: GatewayView, addresses: readonly GatewayAddress[]): ObjectStatus {
  const gw = view.gateway;
  const g = generationOf(gw.metadata);
  const accepted = view.listeners.filter((l) => l.accepted);
  const programmed = view.listeners.some((l) => l.programmed);
  const allValid = accepted.length === view.listeners.length;
  return {
    apiVersion: GATEWAY_API_V1,
    kind: 'Gateway',
    namespace: gw.metadata.namespace ?? 'default',
    name: gw.metadata.name,
    generation: g,
    status: {
      // An address is assigned only to a Gateway Sluice accepts.
      addresses: view.unsupportedAddress !== undefined || view.invalidParameters !== undefined ? [] : addresses,
      conditions: view.unsupportedAddress !== undefined ? [
        condition('Accepted', false, 'UnsupportedAddress', view.unsupportedAddress, g),
        condition('Programmed', false, 'AddressNotUsable', view.unsupportedAddress, g),
      ] : view.invalidParameters !== undefined ? [
        condition('Accepted', false, 'InvalidParameters', view.invalidParameters, g),
        condition('Programmed', false, 'Invalid', 'The Gateway is not accepted', g),
      ] : [
        accepted.length === 0
          ? condition('Accepted', false, 'ListenersNotValid', 'No listener is valid', g)
          : allValid
            ? condition('Accepted', true, 'Accepted', 'Gateway accepted', g)
            : condition('Accepted', true, 'ListenersNotValid', 'Some listeners are not valid: see their conditions', g),
        programmed ? condition('Programmed', true, 'Programmed', 'Gateway programmed', g) : condition('Programmed', false, 'Invalid', 'No listener is programmed', g),
        // The spec's warning that some listener lets in clients without a valid certificate.
        ...(view.listeners.some((l) => l.clientValidation?.mode === 'AllowInsecureFallback')
          ? [condition('InsecureFrontendValidationMode', true, 'ConfigurationChanged', 'spec.tls.frontend uses AllowInsecureFallback: clients without a valid certificate are served', g)]
          : []),
      ],
      listeners: view.listeners.map((l) => ({
        name: l.spec.name,
        supportedKinds: l.kinds.map((kind) => ({ group: GATEWAY_GROUP, kind })),
        attachedRoutes: l.attached.size,
        conditions: l.conditions,
      })),
    },
  };
}

/**
 * A route's status; with `shared`, a body equal to one made before in the pass is that object (at
 * 10,000 routes on one Gateway, one body instead of 10,000 copies of the same conditions).
 */
export function routeStatus(r: HTTPRoute | GRPCRoute, parents: readonly RouteParentStatus[], shared?: SharedValues): ObjectStatus {
  const body = { parents };
  return {
    apiVersion: GATEWAY_API_V1,
    kind: r.kind,
    namespace: r.metadata.namespace ?? 'default',
    name: r.metadata.name,
    generation: generationOf(r.metadata),
    status: shared === undefined ? body : shared.share(body, `status ${JSON.stringify(parents)}`),
  };
}

/**
 * Whether two route statuses (routeStatus) are equal: field by field, as a patch compares one per
 * route attached again (a Gateway edit at 10,000 routes), where a generic deep comparison costs more
 * than the attachment itself.
 */
export function sameRouteStatus(a: ObjectStatus, b: ObjectStatus): boolean {
  if (a.kind !== b.kind || a.namespace !== b.namespace || a.name !== b.name || a.generation !== b.generation || a.apiVersion !== b.apiVersion) return false;
  const pa = (a.status as { parents: readonly RouteParentStatus[] }).parents;
  const pb = (b.status as { parents: readonly RouteParentStatus[] }).parents;
  return pa.length === pb.length && pa.every((p, i) => sameParent(p, pb[i] as RouteParentStatus));
}

function sameParent(a: RouteParentStatus, b: RouteParentStatus): boolean {
  if (a.controllerName !== b.controllerName || a.conditions.length !== b.conditions.length) return false;
  const ka = Object.keys(a.parentRef);
  if (ka.length !== Object.keys(b.parentRef).length || ka.some((k) => a.parentRef[k] !== b.parentRef[k])) return false;
  return a.conditions.every((c, i) => {
    const d = b.conditions[i] as GatewayCondition;
    return c.type === d.type && c.status === d.status && c.reason === d.reason && c.message === d.message && c.observedGeneration === d.observedGeneration;
  });
}
