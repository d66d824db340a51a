// What an ext_authz client is asked and answers, whatever its protocol (gRPC or HTTP).
import type { HeaderPair } from '../snapshot/types.ts';

export interface AuthzCheck {
  readonly method: string;
  /** the request target, path and query */
  readonly path: string;
  readonly host: string;
  readonly scheme: 'http' | 'https';
  /** the client's headers chosen to send, lower-case names */
  readonly headers: readonly HeaderPair[];
  readonly clientAddress: string | undefined;
  /** the body's first bytes (withRequestBody); absent: no body is sent */
  readonly body?: Buffer;
  /** gRPC: send `body` as raw_body bytes */
  readonly packAsBytes?: boolean;
  /** gRPC: the Check's context_extensions */
  readonly contextExtensions?: Readonly<Record<string, string>>;
}

export type AuthzAnswer =
  | { readonly allow: true; readonly upstreamHeaders: readonly HeaderPair[] }
  | { readonly allow: false; readonly status: number; readonly headers: readonly HeaderPair[]; readonly body: string };

/** Asks an authorization server; rejects when it cannot be asked or answers nonsense (failureMode decides). */
export interface AuthzClient {
  check(check: AuthzCheck, timeoutMs: number): Promise<AuthzAnswer>;
}

// Headers a policy may never set on the upstream request or the client's answer: framing and
// hop-by-hop fields are the gateway's, and Host is the route's.
const RESERVED = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization']);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
const BAD_VALUE = /[\0\r\n]/;

/** The pairs safe to pass on (lower-cased names), optionally only those named in `allow`. */
export function safeHeaders(pairs: Iterable<readonly [string, string]>, allow?: readonly string[]): HeaderPair[] {
  const out: HeaderPair[] = [];
  for (const [n, v] of pairs) {
    const name = n.toLowerCase();
    if (!TOKEN.test(name) || RESERVED.has(name) || typeof v !== 'string' || BAD_VALUE.test(v)) continue;
    if (allow !== undefined && !allow.includes(name)) continue;
    out.push([name, v]);
  }
  return out;
}
