// Validation of a TrafficPolicy's `spec.jwt`, every problem with its field path. What passes here
// is what the policy and the xDS translation take as given (a JWKS URI Envoy can fetch, header
// names a request may carry, durations above 0).
import { durationMs } from '../gateway-api/spec-values.ts';
import { type Check, describe, isHeaderName, type Json } from '../api/check.ts';

const JWT_FIELDS = new Set(['disabled', 'required', 'providers']);
const PROVIDER_FIELDS = new Set(['name', 'issuer', 'audiences', 'remoteJwks', 'localJwks', 'fromHeaders', 'fromParams', 'claimsToHeaders', 'forwardPayloadHeader', 'clockSkew']);
const MAX_PROVIDERS = 16;
const NAME = /^[a-z0-9]([-a-z0-9_.]{0,62}[a-z0-9])?$/;
const JWKS_URI = /^https?:\/\/[^/?#\s@]+(\/[^#\s]*)?$/;
// A policy may not set the gateway's own framing fields, nor Host (the route's).
const RESERVED = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'proxy-connection']);

function known(c: Check, obj: Json, fields: ReadonlySet<string>, path: string): void {
  for (const k of Object.keys(obj)) if (!fields.has(k)) c.fail(`${path}.${k}`, `unknown field; expected one of ${[...fields].join(', ')}`);
}

function upstreamHeader(c: Check, value: unknown, path: string, required: boolean): void {
  const h = c.string(value, path, required);
  if (h === undefined) return;
  if (!isHeaderName(h)) c.fail(path, `must be a header name, got ${describe(h)}`);
  else if (RESERVED.has(h.toLowerCase())) c.fail(path, `${h} is the gateway's to set`);
}

function duration(c: Check, value: unknown, path: string, zero = false): void {
  if (value === undefined) return;
  const ms = durationMs(value);
  if (ms === undefined || (ms === 0 && !zero)) c.fail(path, `must be a Gateway API duration${zero ? '' : ' above 0'} (e.g. 5s), got ${describe(value)}`);
}

export function checkJwt(c: Check, value: unknown, path: string): void {
  const j = c.object(value, path, true);
  if (j === undefined) return;
  known(c, j, JWT_FIELDS, path);
  const disabled = c.boolean(j.disabled, `${path}.disabled`);
  c.boolean(j.required, `${path}.required`);
  const providers = c.array(j.providers, `${path}.providers`, disabled !== true);
  if (providers === undefined) return;
  if (providers.length === 0 && disabled !== true) c.fail(`${path}.providers`, 'must list at least one provider');
  if (providers.length > MAX_PROVIDERS) c.fail(`${path}.providers`, `must list at most ${MAX_PROVIDERS} providers`);
  const names = new Set<string>();
  providers.forEach((p, i) => {
    const name = checkProvider(c, p, `${path}.providers[${i}]`);
    if (name === undefined) return;
    if (names.has(name)) c.fail(`${path}.providers[${i}].name`, `"${name}" is used by another provider`);
    names.add(name);
  });
}

function checkProvider(c: Check, value: unknown, path: string): string | undefined {
  const p = c.object(value, path, true);
  if (p === undefined) return undefined;
  known(c, p, PROVIDER_FIELDS, path);
  const name = c.string(p.name, `${path}.name`, true);
  if (name !== undefined && !NAME.test(name)) c.fail(`${path}.name`, `must be lower-case letters, digits, '-', '_' or '.' (at most 64), got ${describe(name)}`);
  c.string(p.issuer, `${path}.issuer`);
  c.array(p.audiences, `${path}.audiences`)?.forEach((a, i) => {
    if (typeof a !== 'string' || a === '') c.fail(`${path}.audiences[${i}]`, `must be a non-empty string, got ${describe(a)}`);
  });
  if ((p.remoteJwks === undefined) === (p.localJwks === undefined)) c.fail(path, 'must set exactly one of remoteJwks and localJwks');
  if (p.remoteJwks !== undefined) checkRemote(c, p.remoteJwks, `${path}.remoteJwks`);
  if (p.localJwks !== undefined) checkLocal(c, p.localJwks, `${path}.localJwks`);
  c.array(p.fromHeaders, `${path}.fromHeaders`)?.forEach((h, i) => {
    const at = `${path}.fromHeaders[${i}]`;
    const o = c.object(h, at, true);
    if (o === undefined) return;
    known(c, o, new Set(['name', 'prefix']), at);
    const n = c.string(o.name, `${at}.name`, true);
    if (n !== undefined && !isHeaderName(n)) c.fail(`${at}.name`, `must be a header name, got ${describe(n)}`);
    const prefix = c.string(o.prefix, `${at}.prefix`);
    if (prefix !== undefined && /[\0\r\n]/.test(prefix)) c.fail(`${at}.prefix`, 'must not hold CR, LF or NUL');
  });
  c.array(p.fromParams, `${path}.fromParams`)?.forEach((q, i) => {
    if (typeof q !== 'string' || q === '') c.fail(`${path}.fromParams[${i}]`, `must be a query parameter name, got ${describe(q)}`);
  });
  c.array(p.claimsToHeaders, `${path}.claimsToHeaders`)?.forEach((m, i) => {
    const at = `${path}.claimsToHeaders[${i}]`;
    const o = c.object(m, at, true);
    if (o === undefined) return;
    known(c, o, new Set(['claim', 'header']), at);
    const claim = c.string(o.claim, `${at}.claim`, true);
    if (claim === '') c.fail(`${at}.claim`, 'must not be empty');
    upstreamHeader(c, o.header, `${at}.header`, true);
  });
  upstreamHeader(c, p.forwardPayloadHeader, `${path}.forwardPayloadHeader`, false);
  duration(c, p.clockSkew, `${path}.clockSkew`, true);
  return name;
}

function checkRemote(c: Check, value: unknown, path: string): void {
  const r = c.object(value, path, true);
  if (r === undefined) return;
  known(c, r, new Set(['uri', 'timeout', 'cacheDuration']), path);
  const uri = c.string(r.uri, `${path}.uri`, true);
  if (uri !== undefined && !validUri(uri)) c.fail(`${path}.uri`, `must be an http:// or https:// URL with a host (and no user info), got ${describe(uri)}`);
  duration(c, r.timeout, `${path}.timeout`);
  duration(c, r.cacheDuration, `${path}.cacheDuration`);
}

function validUri(uri: string): boolean {
  if (!JWKS_URI.test(uri)) return false;
  try {
    const u = new URL(uri);
    return u.hostname !== '' && (u.port === '' || Number(u.port) > 0);
  } catch {
    return false;
  }
}

function checkLocal(c: Check, value: unknown, path: string): void {
  const set = c.object(value, path, true);
  if (set === undefined) return;
  const keys = c.array(set.keys, `${path}.keys`, true);
  if (keys === undefined) return;
  if (keys.length === 0) c.fail(`${path}.keys`, 'must hold at least one key');
  keys.forEach((k, i) => {
    const o = c.object(k, `${path}.keys[${i}]`, true);
    if (o !== undefined) c.string(o.kty, `${path}.keys[${i}].kty`, true);
  });
}
