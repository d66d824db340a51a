// The ext_authz policy: asks the route's authorization server before the request goes upstream.
// Allowed: the server's chosen headers are set on the upstream request. Denied: the server's answer
// is the client's. Unreachable, late or nonsense: failureMode (deny: 403, as Envoy's default).
// With `withRequestBody` the body's first bytes go along (ext-authz-body.ts).
import type { ExtAuthzPolicy } from '../snapshot/types.ts';
import type { ExchangePolicy, PolicyRequest, RequestVerdict } from '../proxy/exchange-policy.ts';
import { type LocalReply, textReply } from '../proxy/local-reply.ts';
import { rawHeader } from '../proxy/raw-headers.ts';
import { type BodyForCheck, bodyForCheck, discardBody, isBody } from './ext-authz-body.ts';
import { GrpcAuthzClient } from './ext-authz-grpc.ts';
import { HttpAuthzClient } from './ext-authz-http.ts';
import type { AuthzCheck, AuthzClient } from './ext-authz-types.ts';
import { safeHeaders } from './ext-authz-types.ts';
import type { PeekedBody } from './peek-body.ts';

export const AUTHZ_FAILED = textReply(403, 'external authorization failed');
// What the HTTP protocol sends when no headers are listed (Envoy's http_service default keeps Authorization).
const HTTP_DEFAULT_HEADERS: readonly string[] = ['authorization'];
/** Envoy's header on a check that carries a body: whether the body was cut at the limit. */
const PARTIAL_BODY_HEADER = 'x-envoy-auth-partial-body';

export class ExtAuthz implements ExchangePolicy {
  readonly responseFlag = 'UAEX';
  readonly #client: AuthzClient;
  readonly #send: readonly string[] | undefined;

  constructor(readonly policy: ExtAuthzPolicy) {
    this.#client = policy.protocol === 'grpc' ? new GrpcAuthzClient(policy.url) : new HttpAuthzClient(policy.url, policy.headersToUpstream);
    // gRPC sends every header unless some are listed; HTTP sends only the listed (or Authorization).
    this.#send = policy.headersToSend.length > 0 ? policy.headersToSend : policy.protocol === 'http' ? HTTP_DEFAULT_HEADERS : undefined;
  }

  onRequest(req: PolicyRequest): RequestVerdict | Promise<RequestVerdict> {
    const settings = this.policy.withRequestBody;
    if (settings === undefined) return this.#ask(req, undefined);
    const body = bodyForCheck(req, settings);
    return body instanceof Promise ? body.then((b) => this.#withBody(req, b)) : this.#withBody(req, body);
  }

  #withBody(req: PolicyRequest, body: BodyForCheck): RequestVerdict | Promise<RequestVerdict> {
    if (!isBody(body)) return body;
    return this.#ask(req, body).then((v) => {
      // Answered here: the body read so far stays unread unless dropped.
      if (v !== undefined) discardBody(req);
      return v;
    });
  }

  #ask(req: PolicyRequest, body: PeekedBody | undefined): Promise<RequestVerdict> {
    let check: AuthzCheck;
    try {
      check = this.#check(req, body);
    } catch {
      return Promise.resolve(this.#failed());
    }
    return this.#client.check(check, this.policy.timeout).then(
      (a): RequestVerdict => {
        if (!a.allow) return { status: a.status, headers: a.headers.map(([n, v]) => [n, v]), body: a.body };
        if (a.upstreamHeaders.length > 0) req.setUpstreamHeaders(a.upstreamHeaders);
        return undefined;
      },
      () => this.#failed(),
    );
  }

  #failed(): LocalReply | undefined {
    return this.policy.failureMode === 'allow' ? undefined : AUTHZ_FAILED;
  }

  #check(req: PolicyRequest, body: PeekedBody | undefined): AuthzCheck {
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i + 1 < req.raw.length; i += 2) pairs.push([req.raw[i]!, req.raw[i + 1]!]);
    const headers = safeHeaders(pairs, this.#send);
    if (body !== undefined) headers.push([PARTIAL_BODY_HEADER, body.partial ? 'true' : 'false']);
    return {
      method: req.method,
      path: req.url,
      host: rawHeader(req.raw, 'host') ?? rawHeader(req.raw, ':authority') ?? req.decision.upstreamHost,
      scheme: 'http',
      headers,
      clientAddress: req.clientAddress,
      ...(body !== undefined && { body: body.bytes, packAsBytes: this.policy.withRequestBody?.packAsBytes === true }),
      ...(this.policy.contextExtensions !== undefined && { contextExtensions: this.policy.contextExtensions }),
    };
  }
}
