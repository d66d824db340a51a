// Function-level routing (Gloo's idea): a route's backend may be one *function* of an upstream
// rather than the upstream as a whole: a REST operation built from a template, a gRPC service
// reached from REST+JSON through its google.api.http annotations, or an AWS Lambda function.
//
// The IR carries functions as plain data (Snapshot.functions, named by Split.function); the data
// plane hands such a split's request, in its own process, to the call's handler (calls.ts): it
// turns the client's request into the upstream's, sends it, and turns the answer back. Envoy gets the same through its own filters (grpc_json_transcoder, aws_lambda).

/** One function call a split makes; Snapshot.functions entries, sorted by name. */
export interface FunctionBinding {
  /** stable unique name, what Split.function names */
  readonly name: string;
  /**
   * the Cluster (Snapshot.clusters) the call is sent to: REST and gRPC calls; absent for Lambda,
   * which is reached at its region's (or the configured) endpoint
   */
  readonly cluster?: string;
  readonly call: FunctionCall;
}

export type FunctionCall = RestCall | GrpcJsonCall | LambdaCall;

/**
 * A template in Gloo's transformation language (inja): `{{ id }}`, `{{ default(id, "") }}`,
 * `{{ header("x-name") }}`, `{{ body }}`...; variables are the route's extracted parameters.
 */
export type Template = string;

/** Gloo `TransformationTemplate`, the part REST functions use. */
export interface RestTemplate {
  /**
   * lower-case header names to templates; the pseudo-headers `:method` and `:path` set the method
   * and the path (with its query) sent upstream
   */
  readonly headers: readonly (readonly [name: string, template: Template])[];
  /**
   * `passthrough`: the client's body as it is; `template`: the body is rendered (variables also
   * include the client's JSON body's top-level fields); `merge-extractors`: the parameters are
   * merged into the client's JSON body
   */
  readonly body: { readonly type: 'passthrough' } | { readonly type: 'template'; readonly text: Template } | { readonly type: 'merge-extractors' };
}

/**
 * Where a route's parameters come from (Gloo `destinationSpec.rest.parameters`): each value is a
 * pattern in which `{name}` captures one variable, e.g. `/pets/{id}` for the path and `{id}` or
 * `Bearer {token}` for a header. A pattern that does not match leaves its variables unset.
 */
export interface ParameterSources {
  /** lower-case header name to pattern */
  readonly headers: readonly (readonly [name: string, pattern: string])[];
  /** pattern over the request path (without the query) */
  readonly path?: string;
}

export interface RestCall {
  readonly type: 'rest';
  /** the function's name (an OpenAPI operationId, or a key of the Upstream's rest transformations) */
  readonly function: string;
  readonly template: RestTemplate;
  readonly parameters: ParameterSources;
}

/**
 * REST+JSON to gRPC, Envoy's grpc_json_transcoder: the request's method and path are matched
 * against the `google.api.http` rules of the services' methods; the upstream is spoken to over
 * HTTP/2 (its Cluster's protocol is h2c).
 */
export interface GrpcJsonCall {
  readonly type: 'grpc-json';
  /** a serialized `google.protobuf.FileDescriptorSet`, base64 */
  readonly descriptorSet: string;
  /** fully qualified service names to transcode (`bookstore.Bookstore`) */
  readonly services: readonly string[];
  /** JSON output: fields with default values too; names as in the proto rather than lowerCamelCase */
  readonly print: {
    readonly alwaysPrintPrimitiveFields: boolean;
    readonly preserveProtoFieldNames: boolean;
  };
  /** query parameters not mapped to request fields and not an error (Envoy's `ignored_query_parameters`) */
  readonly ignoredQueryParameters: readonly string[];
  /** any query parameter that names no request field is skipped, not a 400 (Envoy's `ignore_unknown_query_parameters`) */
  readonly ignoreUnknownQueryParameters?: boolean;
  /** without an http rule, `POST /pkg.Service/Method` with a JSON body calls the method (Envoy's `auto_mapping`) */
  readonly autoMapping: boolean;
}

export interface LambdaCall {
  readonly type: 'aws-lambda';
  /** the function name (or ARN) sent to Invoke */
  readonly functionName: string;
  /** version or alias */
  readonly qualifier?: string;
  readonly region: string;
  /** `https://lambda.<region>.amazonaws.com` unless set (Lambda-compatible runtimes, tests) */
  readonly endpoint?: string;
  readonly credentials: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  /** `async`: Invoke with `X-Amz-Invocation-Type: Event`, answered 202 */
  readonly invocation: 'sync' | 'async';
  /** the function's result is an API Gateway proxy response (statusCode, headers, body, isBase64Encoded) */
  readonly unwrapAsApiGateway: boolean;
  /** the function is given an API Gateway proxy event rather than the request's body */
  readonly wrapAsApiGateway: boolean;
}

/** What a handler is handed: the client's request after the route's filters. */
export interface FunctionRequest {
  readonly method: string;
  /** path and query as sent upstream */
  readonly path: string;
  /** lower-case names; repeated fields as arrays */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  /** the whole request body (bounded: FUNCTION_BODY_LIMIT, 413 past it) */
  readonly body: Buffer;
}

export interface FunctionResponse {
  readonly status: number;
  /** lower-case names */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  /** a whole body, or chunks as they come (a server-streaming gRPC call as a JSON array) */
  readonly body: Buffer | AsyncIterable<Uint8Array>;
}

/** An address a call's Cluster can be reached at, chosen round-robin by pick(). */
export interface UpstreamAddress {
  readonly address: string;
  readonly port: number;
}

export interface FunctionContext {
  /** the next endpoint of the binding's Cluster; undefined when it has none (answer 503) */
  pick(): UpstreamAddress | undefined;
  /** aborted when the client goes away or the route's timeout fires */
  readonly signal: AbortSignal;
}

/** Runs one kind of call. Errors it throws become a 502 with a JSON body naming the function. */
export type FunctionHandler<C extends FunctionCall> = (call: C, req: FunctionRequest, ctx: FunctionContext) => Promise<FunctionResponse>;

/**
 * A function found by discovery on an Upstream (gRPC reflection, an OpenAPI document), shown in
 * `/status` and `sluice get functions`, and usable by name in routes.
 */
export interface DiscoveredFunction {
  readonly name: string;
  /** `rest` (OpenAPI operation) or `grpc` (a method of a reflected service) */
  readonly kind: 'rest' | 'grpc';
  /** REST: its transformation; gRPC: `/package.Service/Method` */
  readonly rest?: RestTemplate;
  readonly grpcPath?: string;
}
