// Gloo destination specs -> function bindings (src/functions/types.ts): a REST function of the
// Upstream's `serviceSpec.rest.transformations`, a Lambda function of its `aws.lambdaFunctions`
// (credentials from the Secret its `secretRef` names), or gRPC-JSON transcoding for every split to
// an Upstream with `serviceSpec.grpcJsonTranscoder`. Pure: the Secret comes through the lookups.
import { isHeaderName } from '../api/grammar.ts';
import type { Secret } from '../api/types.ts';
import type { FunctionBinding, FunctionCall, LambdaCall, RestCall, RestTemplate } from '../functions/types.ts';
import type { Lookups } from '../translate/lookups.ts';
import { namespaceOf } from './report.ts';
import type { DestinationSpec, TransformationTemplate, Upstream } from './types.ts';
import type { Target } from './upstreams.ts';

/** The call a split makes (none: it forwards as it is), or why the destination is unusable. */
export type FunctionOutcome = { readonly call?: FunctionCall } | { readonly problem: string };

export function functionCall(target: Target, spec: DestinationSpec | undefined, lookups: Lookups): FunctionOutcome {
  const aws = target.upstream?.spec.aws;
  if (spec?.rest !== undefined) return restCall(target, spec.rest);
  if (spec?.aws !== undefined) {
    if (aws === undefined || target.upstream === undefined) return { problem: `destinationSpec.aws names ${target.label}, which is not an AWS Upstream` };
    return lambdaCall(target.upstream, spec.aws, lookups);
  }
  if (aws !== undefined) return { problem: `${target.label} is an AWS Upstream: a destination to it needs destinationSpec.aws.logicalName` };
  const grpc = target.serviceSpec?.grpcJsonTranscoder;
  if (grpc === undefined) return {};
  const descriptorSet = (grpc.protoDescriptorBin ?? '').replace(/\s+/g, '');
  if (descriptorSet === '' || !/^[A-Za-z0-9+/]*={0,2}$/.test(descriptorSet)) return { problem: `${target.label}: serviceSpec.grpcJsonTranscoder.protoDescriptorBin must be a base64 FileDescriptorSet` };
  if ((grpc.services ?? []).length === 0) return { problem: `${target.label}: serviceSpec.grpcJsonTranscoder.services must name at least one service` };
  return {
    call: {
      type: 'grpc-json',
      descriptorSet,
      services: [...(grpc.services ?? [])],
      print: { alwaysPrintPrimitiveFields: grpc.printOptions?.alwaysPrintPrimitiveFields === true, preserveProtoFieldNames: grpc.printOptions?.preserveProtoFieldNames === true },
      ignoredQueryParameters: [...(grpc.ignoredQueryParameters ?? [])],
      autoMapping: grpc.autoMapping === true,
    },
  };
}

function restCall(target: Target, rest: NonNullable<DestinationSpec['rest']>): FunctionOutcome {
  const name = rest.functionName ?? '';
  const transformations = target.serviceSpec?.rest?.transformations ?? {};
  const t = Object.hasOwn(transformations, name) ? transformations[name] : undefined;
  if (t === undefined) {
    const known = Object.keys(transformations).sort();
    return { problem: `function ${JSON.stringify(name)} not found on ${target.label} (its serviceSpec.rest.transformations ${known.length === 0 ? 'are empty' : `have ${known.join(', ')}`})` };
  }
  const headers: [string, string][] = [];
  let path: string | undefined;
  for (const [h, pattern] of Object.entries(rest.parameters?.headers ?? {})) {
    // Gloo extracts path parameters through the `:path` pseudo-header.
    if (h === ':path') path = pattern;
    else headers.push([h.toLowerCase(), pattern]);
  }
  if (rest.parameters?.path !== undefined) path = rest.parameters.path;
  const template = restTemplate(t);
  if (typeof template === 'string') return { problem: `function ${JSON.stringify(name)} of ${target.label}: ${template}` };
  const call: RestCall = {
    type: 'rest',
    function: name,
    template,
    parameters: { headers: headers.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)), ...(path !== undefined && { path }) },
  };
  return { call };
}

// Framing headers are the function host's to set (it knows the body it sends); Gloo's discovery
// writes them into every template, so they are dropped without a word.
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'te', 'trailer', 'upgrade']);
const PSEUDO = new Set([':method', ':path', ':authority']);

/** The template, or why it cannot be sent (a header name or template text that would break the request). */
function restTemplate(t: TransformationTemplate): RestTemplate | string {
  const headers: [string, string][] = [];
  for (const [raw, v] of Object.entries(t.headers ?? {})) {
    const name = raw.toLowerCase();
    const text = v?.text ?? '';
    if (FRAMING.has(name)) continue;
    if (!PSEUDO.has(name) && !isHeaderName(name)) return `header ${JSON.stringify(raw)} is not an HTTP header name`;
    if (/[\r\n\0]/.test(text)) return `header ${JSON.stringify(raw)}: the template must not contain CR, LF or NUL`;
    headers.push([name, text]);
  }
  headers.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const body: RestTemplate['body'] =
    t.body?.text !== undefined ? { type: 'template', text: t.body.text } : t.mergeExtractorsToBody !== undefined ? { type: 'merge-extractors' } : { type: 'passthrough' };
  return { headers, body };
}

function lambdaCall(u: Upstream, spec: NonNullable<DestinationSpec['aws']>, lookups: Lookups): FunctionOutcome {
  const aws = u.spec.aws ?? {};
  const label = `Upstream ${namespaceOf(u)}/${u.metadata.name}`;
  const fn = (aws.lambdaFunctions ?? []).find((f) => f.logicalName === spec.logicalName);
  if (fn === undefined || !fn.lambdaFunctionName) {
    const known = (aws.lambdaFunctions ?? []).map((f) => f.logicalName ?? '').sort();
    return { problem: `Lambda function ${JSON.stringify(spec.logicalName ?? '')} not found on ${label} (its lambdaFunctions have ${known.length === 0 ? 'none' : known.join(', ')})` };
  }
  const secretKey = `${aws.secretRef?.namespace || namespaceOf(u)}/${aws.secretRef?.name ?? ''}`;
  const secret = lookups.secret(secretKey);
  if (secret === undefined) return { problem: `${label}: Secret "${secretKey}" (spec.aws.secretRef) not found` };
  const accessKeyId = secretValue(secret, 'aws_access_key_id');
  const secretAccessKey = secretValue(secret, 'aws_secret_access_key');
  if (!accessKeyId || !secretAccessKey) return { problem: `${label}: Secret "${secretKey}" needs aws_access_key_id and aws_secret_access_key` };
  const sessionToken = secretValue(secret, 'session_token') ?? secretValue(secret, 'aws_session_token');
  const call: LambdaCall = {
    type: 'aws-lambda',
    functionName: fn.lambdaFunctionName,
    ...(fn.qualifier ? { qualifier: fn.qualifier } : {}),
    region: aws.region ?? '',
    ...(aws.endpoint !== undefined && { endpoint: aws.endpoint }),
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
    invocation: spec.invocationStyle === 'ASYNC' ? 'async' : 'sync',
    unwrapAsApiGateway: spec.unwrapAsApiGateway === true,
    wrapAsApiGateway: spec.wrapAsApiGateway === true,
  };
  return { call };
}

// stringData wins over data, as the API server merges it on write.
function secretValue(secret: Secret, key: string): string | undefined {
  const s = secret.stringData?.[key];
  if (s) return s.trim();
  const d = secret.data?.[key];
  return d ? Buffer.from(d, 'base64').toString('utf8').trim() : undefined;
}

/** A binding named for the route destination that makes the call. */
export function binding(name: string, target: Target, call: FunctionCall): FunctionBinding {
  return { name, ...(call.type !== 'aws-lambda' && target.cluster !== undefined && { cluster: target.cluster.name }), call };
}
