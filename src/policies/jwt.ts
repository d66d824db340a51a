// The JWT authentication policy: the route's providers are tried in order on the tokens the request
// carries (each provider looks in its own places); the first that verifies (signature by a key of
// its set, issuer, audience, exp/nbf within the clock skew) lets the request through with its claim
// headers set upstream. A token that no provider verifies: 401 invalid_token. No token: 401 when
// required, else on (RFC 6750: no error code then). Nothing a client sends gets past a 401. A token
// verified lately is let through at once (jwt-cache.ts).
import { errors, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions, jwtVerify } from 'jose';
import type { HeaderPair, JwtPolicy, JwtProvider } from '../snapshot/types.ts';
import type { ExchangePolicy, PolicyRequest, RequestVerdict } from '../proxy/exchange-policy.ts';
import { textReply } from '../proxy/local-reply.ts';
import { type KeySource, LocalKeys, remoteKeys, type Warn } from './jwks-cache.ts';
import { VerifiedTokens } from './jwt-cache.ts';
import { claimHeaders } from './jwt-claims.ts';
import { MAX_TOKEN, tokenOf } from './jwt-token.ts';

export const JWT_MISSING = textReply(401, 'Jwt is missing', [['www-authenticate', 'Bearer']]);
export const JWT_INVALID = textReply(401, 'Jwt verification fails', [['www-authenticate', 'Bearer error="invalid_token"']]);
export const JWT_EXPIRED = textReply(401, 'Jwt is expired', [['www-authenticate', 'Bearer error="invalid_token", error_description="the token has expired"']]);

// Public-key algorithms only for fetched sets: a shared secret published in a JWKS would let
// anyone sign. An inline set may also hold HMAC secrets, as Envoy's local_jwks may. Never `none`.
const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
const WITH_HMAC = [...ASYMMETRIC, 'HS256', 'HS384', 'HS512'];

interface Verifier {
  readonly provider: JwtProvider;
  readonly keys: KeySource;
  readonly options: JWTVerifyOptions;
}

function verifierOf(p: JwtProvider): Verifier {
  const keys = p.remoteJwks !== undefined ? remoteKeys(p.remoteJwks.uri, p.remoteJwks.timeoutMs, p.remoteJwks.cacheMs) : new LocalKeys(p.localJwks ?? '', p.name);
  const options: JWTVerifyOptions = {
    algorithms: p.remoteJwks !== undefined ? ASYMMETRIC : WITH_HMAC,
    clockTolerance: p.clockSkewSeconds,
    ...(p.issuer !== undefined && { issuer: p.issuer }),
    ...(p.audiences.length > 0 && { audience: [...p.audiences] }),
  };
  return { provider: p, keys, options };
}

async function verify(v: Verifier, token: string, warn: Warn): Promise<JWTPayload> {
  const keys = await v.keys.keys(warn);
  try {
    return (await jwtVerify(token, keys, v.options)).payload;
  } catch (err) {
    // A key the set lacks: perhaps rotated in since the last fetch.
    if (!(err instanceof errors.JWKSNoMatchingKey)) throw err;
    const fresh: JWTVerifyGetKey | undefined = await v.keys.refetch(warn);
    if (fresh === undefined) throw err;
    return (await jwtVerify(token, fresh, v.options)).payload;
  }
}

export class JwtAuth implements ExchangePolicy {
  readonly #verifiers: readonly Verifier[];
  /** every claim header of every provider, empty: set whenever a request goes on */
  readonly #blank: readonly HeaderPair[];
  readonly #verified = new VerifiedTokens();

  constructor(readonly policy: JwtPolicy) {
    this.#verifiers = policy.providers.map(verifierOf);
    this.#blank = policy.providers.flatMap((p) => [...claimHeaders(p, undefined), ...(p.forwardPayloadHeader === undefined ? [] : [[p.forwardPayloadHeader, ''] as HeaderPair])]);
  }

  onRequest(req: PolicyRequest): RequestVerdict | Promise<RequestVerdict> {
    const found: Array<{ v: Verifier; i: number; token: string }> = [];
    for (let i = 0; i < this.#verifiers.length; i++) {
      const v = this.#verifiers[i]!;
      const token = tokenOf(v.provider, req.raw, req.url);
      if (token === '') continue;
      if (token.length > MAX_TOKEN) return JWT_INVALID;
      // Seen and verified lately: on at once.
      const payload = this.#verified.get(token, i);
      if (payload !== undefined) {
        this.#passWith(req, v.provider, token, payload);
        return undefined;
      }
      found.push({ v, i, token });
    }
    if (found.length === 0) {
      if (this.policy.required) return JWT_MISSING;
      this.#pass(req, []);
      return undefined;
    }
    return this.#first(found, req);
  }

  async #first(found: ReadonlyArray<{ v: Verifier; i: number; token: string }>, req: PolicyRequest): Promise<RequestVerdict> {
    const warn: Warn = (fields, msg) => req.dp.log.warn(fields, msg);
    let expired = false;
    for (const { v, i, token } of found) {
      try {
        const payload = await verify(v, token, warn);
        this.#verified.add(token, i, payload, v.provider.clockSkewSeconds);
        this.#passWith(req, v.provider, token, payload);
        return undefined;
      } catch (err) {
        if (err instanceof errors.JWTExpired) expired = true;
      }
    }
    return expired ? JWT_EXPIRED : JWT_INVALID;
  }

  #passWith(req: PolicyRequest, p: JwtProvider, token: string, payload: JWTPayload): void {
    const payloadHeader: HeaderPair[] = p.forwardPayloadHeader === undefined ? [] : [[p.forwardPayloadHeader, token.split('.')[1] ?? '']];
    this.#pass(req, [...claimHeaders(p, payload), ...payloadHeader]);
  }

  #pass(req: PolicyRequest, headers: readonly HeaderPair[]): void {
    if (this.#blank.length > 0) req.setUpstreamHeaders([...this.#blank, ...headers]);
  }
}
