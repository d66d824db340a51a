// The ext_authz policy: asks the route's authorization server before the request goes upstream.
// Allowed: the server's chosen headers are set on the upstream request. Denied: the server's answer
// is the client's. Unreachable, late or nonsense: failureMode (deny: 403, as Envoy's default).
import type { ExtAuthzPolicy } from '../snapshot/types.ts';
import type { ExchangePolicy, PolicyRequest, RequestVerdict } from '../proxy/exchange-policy.ts';
import { type LocalReply, textReply } from '../proxy/local-reply.ts';
import { rawHeader } from '../proxy/raw-headers.ts';
import { GrpcAuthzClient } from './ext-authz-grpc.ts';
import { HttpAuthzClient } from './ext-authz-http.ts';
import type { AuthzCheck, AuthzClient } from './ext-authz-types.ts';
import { safeHeaders } from './ext-authz-types.ts';

export const AUTHZ_FAILED = textReply(403, 'external authorization failed');
// What the HTTP protocol sends when no headers are listed (Envoy's http_service default keeps Authorization).
const HTTP_DEFAULT_HEADERS: readonly string[] = ['authorization'];

export class ExtAuthz implements ExchangePolicy {
  readonly responseFlag = 'UAEX';
  readonly #client: AuthzClient;
  readonly #send: readonly string[] | undefined;

  constructor(readonly policy: ExtAuthzPolicy) {
    this.#client = policy.protocol === 'grpc' ? new GrpcAuthzClient(policy.url) : new HttpAuthzClient(policy.url, policy.headersToUpstream);
    // gRPC sends every header unless some are listed; HTTP sends only the listed (or Authorization).
    this.#send = policy.headersToSend.length > 0 ? policy.headersToSend : policy.protocol === 'http' ? HTTP_DEFAULT_HEADERS : undefined;
  }

  onRequest(req: PolicyRequest): Promise<RequestVerdict> {
    let check: AuthzCheck;
    try {
      check = this.#check(req);
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

  #check(req: PolicyRequest): AuthzCheck {
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i + 1 < req.raw.length; i += 2) pairs.push([req.raw[i]!, req.raw[i + 1]!]);
    return {
      method: req.method,
      path: req.url,
      host: rawHeader(req.raw, 'host') ?? rawHeader(req.raw, ':authority') ?? req.decision.upstreamHost,
      scheme: 'http',
      headers: safeHeaders(pairs, this.#send),
      clientAddress: req.clientAddress,
    };
  }
}
