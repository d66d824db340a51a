// What function discovery looks at and what it writes, as Gloo's discovery (FDS) does: an Upstream
// labelled `discovery.solo.io/function_discovery: enabled` (or in a namespace so labelled) gets the functions its service offers
// written into its spec — REST operations of its OpenAPI document as
// `serviceSpec.rest.transformations`, or the gRPC services found by reflection as
// `serviceSpec.grpcJsonTranscoder` — and is translated as if its author had written them. Pure.
import type { Sourced } from '../../api/types.ts';
import type { DiscoveredFunction, RestTemplate } from '../types.ts';

export const DISCOVERY_LABEL = 'discovery.solo.io/function_discovery';

/** An Upstream as discovery reads it (the fields it needs; the rest is kept as written). */
interface UpstreamDoc {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Readonly<Record<string, string>> };
  readonly spec?: {
    readonly useHttp2?: boolean;
    readonly kube?: { readonly serviceSpec?: ServiceSpecDoc };
    readonly static?: { readonly serviceSpec?: ServiceSpecDoc };
  };
}

interface ServiceSpecDoc {
  readonly rest?: { readonly transformations?: Readonly<Record<string, unknown>>; readonly swaggerInfo?: { readonly url?: string; readonly inline?: string } };
  readonly grpcJsonTranscoder?: unknown;
}

/** One Upstream to discover, and how. */
export interface DiscoveryTarget {
  /** `namespace/name`; its Cluster in the snapshot is `upstream:<key>` */
  readonly key: string;
  readonly how: 'grpc' | 'openapi';
  /** the OpenAPI document's URL or text, when the Upstream names one (`serviceSpec.rest.swaggerInfo`) */
  readonly swagger?: { readonly url?: string; readonly inline?: string };
  /** changes when the Upstream's spec does, so an edit is discovered again */
  readonly version: string;
}

/** What discovery found for one Upstream. */
export type Discovered =
  | { readonly how: 'openapi'; readonly functions: readonly DiscoveredFunction[] }
  | { readonly how: 'grpc'; readonly descriptorSet: string; readonly services: readonly string[]; readonly functions: readonly DiscoveredFunction[] };

const isUpstream = (r: Sourced): boolean => r.resource.kind === 'Upstream' && (r.resource as { apiVersion?: string }).apiVersion?.startsWith('gloo.solo.io/') === true;

function serviceSpecOf(u: UpstreamDoc): ServiceSpecDoc | undefined {
  return u.spec?.kube?.serviceSpec ?? u.spec?.static?.serviceSpec;
}

/** Namespaces labelled `enabled`: all their Upstreams are discovered unless one says `disabled`. */
function enabledNamespaces(resources: readonly Sourced[]): Set<string> {
  const out = new Set<string>();
  for (const r of resources) {
    const m = r.resource.metadata as UpstreamDoc['metadata'];
    if (r.resource.kind === 'Namespace' && m.labels?.[DISCOVERY_LABEL] === 'enabled') out.add(m.name);
  }
  return out;
}

/**
 * The Upstreams to discover (Gloo's default, opt-in mode): labelled `enabled`, or in a namespace
 * labelled so and not labelled `disabled` themselves; kube or static; whose functions are not
 * written already (an author's transformations or transcoder are kept as they are, as Gloo does).
 */
export function discoveryTargets(resources: readonly Sourced[]): DiscoveryTarget[] {
  const out: DiscoveryTarget[] = [];
  const namespaces = enabledNamespaces(resources);
  for (const r of resources) {
    if (!isUpstream(r)) continue;
    const u = r.resource as unknown as UpstreamDoc;
    const label = u.metadata.labels?.[DISCOVERY_LABEL];
    if (label !== 'enabled' && (label === 'disabled' || !namespaces.has(u.metadata.namespace ?? 'default'))) continue;
    if (u.spec?.kube === undefined && u.spec?.static === undefined) continue;
    const spec = serviceSpecOf(u);
    if (spec?.grpcJsonTranscoder !== undefined || Object.keys(spec?.rest?.transformations ?? {}).length > 0) continue;
    const key = `${u.metadata.namespace ?? 'default'}/${u.metadata.name}`;
    const swagger = spec?.rest?.swaggerInfo;
    const how = u.spec?.useHttp2 === true && swagger === undefined ? 'grpc' : 'openapi';
    out.push({ key, how, ...(swagger !== undefined && { swagger }), version: JSON.stringify(u.spec) });
  }
  return out;
}

/** A REST template as Gloo's TransformationTemplate YAML (what FDS writes). */
function transformation(t: RestTemplate): Record<string, unknown> {
  const headers = Object.fromEntries(t.headers.map(([name, text]) => [name, { text }]));
  if (t.body.type === 'template') return { headers, body: { text: t.body.text } };
  if (t.body.type === 'merge-extractors') return { headers, mergeExtractorsToBody: {} };
  return { headers, passthrough: {} };
}

/** The Upstream with what discovery found written into its serviceSpec. */
export function withDiscovered(r: Sourced, found: Discovered): Sourced {
  const u = r.resource as unknown as UpstreamDoc;
  const where = u.spec?.kube !== undefined ? 'kube' : 'static';
  const inner = (u.spec?.[where] ?? {}) as Record<string, unknown>;
  const serviceSpec = { ...((inner.serviceSpec as Record<string, unknown> | undefined) ?? {}) };
  if (found.how === 'grpc') {
    serviceSpec.grpcJsonTranscoder = { protoDescriptorBin: found.descriptorSet, services: [...found.services] };
  } else {
    const rest = { ...((serviceSpec.rest as Record<string, unknown> | undefined) ?? {}) };
    rest.transformations = Object.fromEntries(found.functions.filter((f) => f.rest !== undefined).map((f) => [f.name, transformation(f.rest as RestTemplate)]));
    serviceSpec.rest = rest;
  }
  const spec = { ...(u.spec as Record<string, unknown>), [where]: { ...inner, serviceSpec } };
  return { ...r, resource: { ...r.resource, spec } as Sourced['resource'] };
}
