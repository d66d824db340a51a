// Function bindings (Snapshot.functions) -> what Envoy needs to serve them: for each binding the
// cluster its splits go to and the per-route filter config that turns the call on; the HTTP filters
// the connection managers need; the Lambda endpoints' clusters; and the bindings Envoy cannot serve.
//
//   grpc-json   envoy.filters.http.grpc_json_transcoder, per-route config, to the binding's cluster
//   aws-lambda  envoy.filters.http.aws_lambda, per-route config, to a cluster of the Lambda endpoint
//   rest        none in upstream Envoy (Gloo's transformation filter is in Gloo's own build): the
//               request is forwarded to the binding's cluster unchanged, and a warning says so
import type { FunctionBinding } from '../functions/types.ts';
import type { Route, Snapshot } from '../snapshot/types.ts';
import type { ProtoObject } from './encode.ts';
import { lambdaArn, lambdaCluster, lambdaClusterName, lambdaEndpoint, lambdaFilter, lambdaPerRoute, LAMBDA_FILTER_NAME } from './function-lambda.ts';
import { TRANSCODER_FILTER, TRANSCODER_FILTER_NAME, transcoderConfig } from './function-transcoder.ts';
import type { NamedResource } from './routes.ts';

/** Where a function split goes in Envoy. */
export interface FunctionTarget {
  /** the Envoy cluster; undefined: the split answers 500, as a split with an invalid backend */
  readonly cluster: string | undefined;
  /** `typed_per_filter_config` entries that turn the call on for the route (or weighted cluster) */
  readonly perFilter: Readonly<Record<string, ProtoObject>> | undefined;
}

/** A binding Envoy cannot serve as the data plane does, and what Envoy does instead. */
export interface FunctionWarning {
  readonly function: string;
  readonly message: string;
}

export interface EnvoyFunctions {
  /** by binding name */
  readonly targets: ReadonlyMap<string, FunctionTarget>;
  /** HTTP filters every connection manager runs before the router (only those some route uses) */
  readonly filters: readonly ProtoObject[];
  /** the Lambda endpoints' clusters, sorted by name */
  readonly clusters: readonly NamedResource[];
  /** sorted by function name */
  readonly warnings: readonly FunctionWarning[];
}

export const NO_FUNCTIONS: EnvoyFunctions = { targets: new Map(), filters: [], clusters: [], warnings: [] };

interface Translated {
  readonly target: FunctionTarget;
  readonly filter?: { readonly name: string; readonly config: ProtoObject };
  readonly cluster?: NamedResource;
  readonly warning?: string;
}

function translate(b: FunctionBinding): Translated {
  const call = b.call;
  switch (call.type) {
    case 'rest':
      return {
        target: { cluster: b.cluster, perFilter: undefined },
        warning: 'upstream Envoy has no equivalent of Gloo\'s REST transformation: the request is forwarded to the cluster unchanged',
      };
    case 'grpc-json': {
      const t = transcoderConfig(call);
      if ('problem' in t) return { target: { cluster: undefined, perFilter: undefined }, warning: `Envoy's grpc_json_transcoder would refuse it (${t.problem}): its routes answer 500` };
      return { target: { cluster: b.cluster, perFilter: { [TRANSCODER_FILTER_NAME]: t.config } }, filter: { name: TRANSCODER_FILTER_NAME, config: TRANSCODER_FILTER } };
    }
    case 'aws-lambda': {
      const arn = lambdaArn(call);
      const endpoint = lambdaEndpoint(call);
      if (arn === undefined) return { target: { cluster: undefined, perFilter: undefined }, warning: 'Envoy\'s aws_lambda filter needs the function\'s full ARN (arn:aws:lambda:<region>:<account>:function:<name>): its routes answer 500' };
      if (endpoint === undefined) return { target: { cluster: undefined, perFilter: undefined }, warning: `its endpoint ${call.endpoint} is not an http(s) URL: its routes answer 500` };
      return {
        target: { cluster: lambdaClusterName(endpoint), perFilter: { [LAMBDA_FILTER_NAME]: lambdaPerRoute(call, arn, endpoint) } },
        filter: { name: LAMBDA_FILTER_NAME, config: lambdaFilter(call, arn, endpoint) },
        cluster: { name: lambdaClusterName(endpoint), resource: lambdaCluster(endpoint) },
        warning:
          call.wrapAsApiGateway || call.unwrapAsApiGateway
            ? 'Envoy wraps the request and unwraps the answer in its own JSON schema (close to API Gateway\'s, not the same), and does both or neither'
            : undefined,
      };
    }
  }
}

/** The function names the snapshot's routes call. */
function calledFunctions(snapshot: Snapshot): Set<string> {
  const out = new Set<string>();
  const visit = (routes: readonly Route[]): void => {
    for (const r of routes) for (const s of r.splits) if (s.function !== undefined && s.weight > 0) out.add(s.function);
  };
  for (const v of [...snapshot.listeners.external, ...snapshot.listeners.local]) visit(v.routes);
  for (const p of snapshot.ports) for (const v of p.virtualHosts) visit(v.routes);
  return out;
}

/** Everything Envoy needs for the snapshot's function bindings (pure). */
export function envoyFunctions(snapshot: Snapshot): EnvoyFunctions {
  const bindings = snapshot.functions ?? [];
  if (bindings.length === 0) return NO_FUNCTIONS;
  const called = calledFunctions(snapshot);
  const targets = new Map<string, FunctionTarget>();
  const filters = new Map<string, ProtoObject>();
  const clusters = new Map<string, NamedResource>();
  const warnings: FunctionWarning[] = [];
  for (const b of bindings) {
    const t = translate(b);
    targets.set(b.name, t.target);
    if (t.warning !== undefined) warnings.push({ function: b.name, message: t.warning });
    if (!called.has(b.name)) continue;
    // The first binding's config stands for the filter's own (each route brings its own anyway).
    if (t.filter !== undefined && !filters.has(t.filter.name)) filters.set(t.filter.name, t.filter.config);
    if (t.cluster !== undefined) clusters.set(t.cluster.name, t.cluster);
  }
  // Filter order is fixed (transcoder, then Lambda): the two never act on the same route.
  const order = [TRANSCODER_FILTER_NAME, LAMBDA_FILTER_NAME];
  return {
    targets,
    filters: order.flatMap((n): ProtoObject[] => {
      const f = filters.get(n);
      return f === undefined ? [] : [f];
    }),
    clusters: [...clusters.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    warnings: warnings.sort((a, b) => (a.function < b.function ? -1 : a.function > b.function ? 1 : 0)),
  };
}

/** The bindings Envoy cannot serve as the data plane does, for the caller to surface (status, logs). */
export function envoyFunctionWarnings(snapshot: Snapshot): readonly FunctionWarning[] {
  return envoyFunctions(snapshot).warnings;
}
