// Gloo's status shape (solo-kit core.solo.io Status, as Gloo 1.x writes it under
// `status.statuses.<namespace of the reporting controller>`): state Accepted, Warning or Rejected,
// `reason` (why, for Warning and Rejected), `reportedBy` (`gateway` for gateway.solo.io kinds,
// `gloo` for gloo.solo.io ones) and `messages` (each problem on its own, errors first, each
// starting with the field it is about).
import type { ObjectStatus } from '../snapshot/types.ts';
import { namespaceOf, type ObjectReport } from './report.ts';
import { GLOO_GATEWAY_V1 } from './types.ts';

export type GlooState = 'Accepted' | 'Warning' | 'Rejected';

export function glooStatus(report: ObjectReport, writerNamespace: string): ObjectStatus {
  const o = report.object;
  const state: GlooState = report.errors.length > 0 ? 'Rejected' : report.warnings.length > 0 ? 'Warning' : 'Accepted';
  const messages = [...report.errors, ...report.warnings];
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    namespace: namespaceOf(o),
    name: o.metadata.name,
    generation: typeof o.metadata.generation === 'number' ? o.metadata.generation : 1,
    status: {
      statuses: {
        [writerNamespace]: {
          state,
          ...(messages.length > 0 && { reason: messages.join('; ') }),
          reportedBy: o.apiVersion === GLOO_GATEWAY_V1 ? 'gateway' : 'gloo',
          ...(messages.length > 0 && { messages }),
          ...functionDetails(o),
        },
      },
    },
  };
}

/**
 * An Upstream's functions (written by its author or by discovery) in the status's `details`, a
 * free-form struct in Gloo's status: REST transformation names, Lambda logical names, transcoded
 * gRPC services.
 */
function functionDetails(o: ObjectReport['object']): { details?: { functions: string[] } } {
  if (o.kind !== 'Upstream') return {};
  // An object the translator tripped on (reported as such) still gets its status: no details then.
  try {
    return functionNames((o as { spec?: UpstreamFunctions }).spec);
  } catch {
    return {};
  }
}

function functionNames(spec: UpstreamFunctions | undefined): { details?: { functions: string[] } } {
  const serviceSpec = spec?.kube?.serviceSpec ?? spec?.static?.serviceSpec;
  const names = [
    ...Object.keys(serviceSpec?.rest?.transformations ?? {}),
    ...(serviceSpec?.grpcJsonTranscoder?.services ?? []),
    ...(spec?.aws?.lambdaFunctions ?? []).map((f) => f.logicalName ?? f.lambdaFunctionName ?? ''),
  ].filter((n): n is string => typeof n === 'string' && n !== '');
  return names.length === 0 ? {} : { details: { functions: [...new Set(names)].sort() } };
}

/** The parts of an Upstream's spec that name functions (validated elsewhere; read defensively). */
interface UpstreamFunctions {
  kube?: { serviceSpec?: ServiceSpecFunctions };
  static?: { serviceSpec?: ServiceSpecFunctions };
  aws?: { lambdaFunctions?: { logicalName?: string; lambdaFunctionName?: string }[] };
}
interface ServiceSpecFunctions {
  rest?: { transformations?: Record<string, unknown> };
  grpcJsonTranscoder?: { services?: string[] };
}

/**
 * The namespace Gloo statuses are keyed by: the gateway Service's (the second label of the public
 * load balancer's `name.namespace.svc...` name), as Gloo keys them by its own namespace.
 */
export function writerNamespace(publicDomain: string): string {
  return publicDomain.split('.')[1] || 'sluice-system';
}
