// config-sluice's policy defaults, in the spirit of Kourier's KOURIER_EXTAUTHZ_* settings: one
// ext_authz server for every route (`extauthz-*` keys) and a stream idle timeout. Each key's value
// is read on its own (a parser throws with what the value must be); the ext_authz keys then make one
// policy, which needs `extauthz-host`. Pure.
import { durationMs } from '../gateway-api/spec-values.ts';
import { DEFAULT_AUTHZ_TIMEOUT_MS } from '../gateway-api/traffic-policy-ir.ts';
import { isHostPort } from '../api/check.ts';
import { MAX_AUTHZ_BODY } from '../policies/ext-authz-spec.ts';
import type { ExtAuthzPolicy } from '../snapshot/types.ts';

type AuthzParts = {
  host?: string;
  protocol?: 'grpc' | 'http';
  pathPrefix?: string;
  failureModeAllow?: boolean;
  timeout?: number;
  maxRequestBytes?: number;
  packAsBytes?: boolean;
};

function bool(v: string): boolean {
  const t = v.trim().toLowerCase();
  if (t === 'true' || t === 'false') return t === 'true';
  throw new Error('must be true or false');
}

/** A Gateway API duration (`500ms`, `1m30s`) or a number of milliseconds, above 0. */
export function parseTimeout(v: string): number {
  const t = v.trim();
  const ms = /^\d{1,9}$/.test(t) ? Number(t) : durationMs(t);
  if (ms === undefined || ms <= 0) throw new Error('must be a duration above 0, such as 500ms or 2s (or a number of milliseconds)');
  return ms;
}

export const AUTHZ_KEYS: Readonly<Record<string, (value: string, into: AuthzParts) => void>> = {
  'extauthz-host': (v, p) => {
    if (!isHostPort(v.trim())) throw new Error('must be host:port (port 1 to 65535) of the authorization server');
    p.host = v.trim();
  },
  'extauthz-protocol': (v, p) => {
    const t = v.trim().toLowerCase();
    if (t !== 'grpc' && t !== 'http') throw new Error('must be grpc or http');
    p.protocol = t;
  },
  'extauthz-path-prefix': (v, p) => {
    if (!/^\/[^?#\s]*$/.test(v.trim())) throw new Error('must be a path starting with /');
    p.pathPrefix = v.trim().replace(/\/$/, '');
  },
  'extauthz-failure-mode-allow': (v, p) => {
    p.failureModeAllow = bool(v);
  },
  'extauthz-timeout': (v, p) => {
    p.timeout = parseTimeout(v);
  },
  'extauthz-max-request-bytes': (v, p) => {
    const n = /^\d{1,9}$/.test(v.trim()) ? Number(v.trim()) : NaN;
    if (!(n >= 1 && n <= MAX_AUTHZ_BODY)) throw new Error(`must be 1 to ${MAX_AUTHZ_BODY} bytes`);
    p.maxRequestBytes = n;
  },
  'extauthz-pack-as-bytes': (v, p) => {
    p.packAsBytes = bool(v);
  },
};

/** The keys' ext_authz policy; undefined when no extauthz key is set. Throws [key, message] when one needs extauthz-host. */
export function authzDefault(data: Readonly<Record<string, string>>): ExtAuthzPolicy | undefined {
  const p: AuthzParts = {};
  const keys = Object.keys(data).filter((k) => Object.hasOwn(AUTHZ_KEYS, k)).sort();
  if (keys.length === 0) return undefined;
  for (const k of keys) AUTHZ_KEYS[k]!(data[k]!, p);
  if (p.host === undefined) throw Object.assign(new Error('needs extauthz-host (the authorization server) beside it'), { key: keys[0]! });
  const protocol = p.protocol ?? 'grpc';
  return Object.freeze({
    protocol,
    url: protocol === 'grpc' ? p.host : `http://${p.host}${p.pathPrefix ?? ''}`,
    timeout: p.timeout ?? DEFAULT_AUTHZ_TIMEOUT_MS,
    failureMode: p.failureModeAllow === true ? 'allow' : 'deny',
    headersToSend: Object.freeze([]),
    headersToUpstream: Object.freeze([]),
    // Kourier sends what fits and lets the rest through (allow_partial_message).
    ...(p.maxRequestBytes !== undefined && { withRequestBody: Object.freeze({ maxBytes: p.maxRequestBytes, allowPartial: true, packAsBytes: p.packAsBytes === true }) }),
  });
}
