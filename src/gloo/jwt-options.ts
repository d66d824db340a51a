// Gloo's JWT options (Enterprise `jwt`, `jwtStaged`, `jwtProvidersStaged`) -> Sluice's JWT policy.
// A provider map in Gloo's shape becomes a TrafficPolicy `jwt` spec, checked by the same validator
// (jwt-spec.ts) and made IR by the same function, so Gloo and TrafficPolicy JWT behave alike. Sluice
// runs JWT before ext_authz: `beforeExtAuth` is served as written, `afterExtAuth` earlier than Gloo.
import { createPublicKey } from 'node:crypto';
import { Check } from '../api/check.ts';
import { jwtOf } from '../gateway-api/traffic-policy-jwt.ts';
import type { JwtProviderSpec, JwtSpec } from '../gateway-api/traffic-policy-types.ts';
import { checkJwt } from '../policies/jwt-spec.ts';
import type { JwtPolicy } from '../snapshot/types.ts';
import type { Finding } from './matchers.ts';
import { durationMs } from './options.ts';
import type { GlooJwtProvider, GlooJwtProviders, Options } from './types.ts';

export const JWT_DISABLED: JwtPolicy = Object.freeze({ disabled: true, required: true, providers: Object.freeze([]) });

/** The JWT policy the options set: a route's `disable`, or providers (virtual host, or a route's own). */
export function jwtOptions(o: Options, errors: Finding[], warnings: Finding[]): JwtPolicy | undefined {
  if (o.jwt?.disable === true || o.jwtStaged?.beforeExtAuth?.disable === true || o.jwtStaged?.afterExtAuth?.disable === true) return JWT_DISABLED;
  // Providers: the virtual host's `jwt`/`jwtStaged`, a route's `jwtProvidersStaged`.
  const staged = o.jwtProvidersStaged ?? (o.jwtStaged?.beforeExtAuth?.providers !== undefined || o.jwtStaged?.afterExtAuth?.providers !== undefined ? o.jwtStaged : undefined);
  const stagedName = o.jwtProvidersStaged !== undefined ? 'jwtProvidersStaged' : 'jwtStaged';
  if (staged !== undefined) {
    if (staged.beforeExtAuth !== undefined) {
      if (staged.afterExtAuth !== undefined) warnings.push({ path: `${stagedName}.afterExtAuth`, message: 'not supported beside beforeExtAuth by Sluice (one JWT stage), ignored' });
      return providersPolicy(staged.beforeExtAuth, `${stagedName}.beforeExtAuth`, errors, warnings);
    }
    if (staged.afterExtAuth !== undefined) {
      warnings.push({ path: `${stagedName}.afterExtAuth`, message: 'served before ext_authz by Sluice (its JWT stage runs first)' });
      return providersPolicy(staged.afterExtAuth, `${stagedName}.afterExtAuth`, errors, warnings);
    }
  }
  if (o.jwt?.providers !== undefined) return providersPolicy(o.jwt, 'jwt', errors, warnings);
  return undefined;
}

function providersPolicy(v: GlooJwtProviders, path: string, errors: Finding[], warnings: Finding[]): JwtPolicy | undefined {
  const policy = v.validationPolicy ?? (v.allowMissingOrFailedJwt === true ? 'ALLOW_MISSING_OR_FAILED' : 'REQUIRE_VALID');
  if (policy === 'ALLOW_MISSING_OR_FAILED') warnings.push({ path: v.validationPolicy !== undefined ? `${path}.validationPolicy` : `${path}.allowMissingOrFailedJwt`, message: 'a failed token still gets 401 in Sluice; served as ALLOW_MISSING' });
  else if (policy !== 'REQUIRE_VALID' && policy !== 'ALLOW_MISSING') errors.push({ path: `${path}.validationPolicy`, message: `must be REQUIRE_VALID, ALLOW_MISSING or ALLOW_MISSING_OR_FAILED, got ${JSON.stringify(policy)}` });
  const names = Object.keys(v.providers ?? {}).sort();
  const providers: JwtProviderSpec[] = [];
  for (const name of names) {
    const p = providerSpec(name, v.providers![name]!, `${path}.providers.${name}`, errors, warnings);
    if (p !== undefined) providers.push(p);
  }
  const spec: JwtSpec = { required: policy === 'REQUIRE_VALID', providers };
  const c = new Check();
  checkJwt(c, spec, path);
  // The validator names providers by index; Gloo's are a map.
  for (const e of c.errors) errors.push({ path: e.path.replace(/providers\[(\d+)\]/, (_, i: string) => `providers.${providers[Number(i)]?.name ?? i}`), message: e.message });
  return c.errors.length > 0 ? undefined : jwtOf(spec);
}

function providerSpec(name: string, p: GlooJwtProvider, path: string, errors: Finding[], warnings: Finding[]): JwtProviderSpec | undefined {
  if (p.keepToken !== true) warnings.push({ path: `${path}.keepToken`, message: 'the token always goes upstream in Sluice (as keepToken: true)' });
  for (const h of p.claimsToHeaders ?? []) if (h.append === true) warnings.push({ path: `${path}.claimsToHeaders`, message: 'append is not supported by Sluice: the claim replaces the header' });
  const remote = p.jwks?.remote;
  if (remote?.upstreamRef !== undefined) warnings.push({ path: `${path}.jwks.remote.upstreamRef`, message: 'Sluice fetches the key set from url directly, not through the Upstream' });
  const cache = remote?.cacheDuration === undefined ? undefined : durationMs(remote.cacheDuration);
  if (remote?.cacheDuration !== undefined && cache === undefined) errors.push({ path: `${path}.jwks.remote.cacheDuration`, message: `must be a duration such as "300s", got ${JSON.stringify(remote.cacheDuration)}` });
  let local: { keys: object[] } | undefined;
  if (p.jwks?.local !== undefined) {
    local = localKeys(p.jwks.local.key ?? '');
    if (local === undefined) {
      errors.push({ path: `${path}.jwks.local.key`, message: 'must be a JSON Web Key Set, a JSON Web Key or a PEM public key' });
      return undefined;
    }
  }
  return {
    name,
    ...(p.issuer !== undefined && p.issuer !== '' && { issuer: p.issuer }),
    ...(p.audiences !== undefined && p.audiences.length > 0 && { audiences: p.audiences }),
    ...(remote !== undefined && { remoteJwks: { uri: remote.url ?? '', ...(cache !== undefined && cache > 0 && { cacheDuration: `${cache}ms` }) } }),
    ...(local !== undefined && { localJwks: local }),
    ...(p.tokenSource?.headers !== undefined && { fromHeaders: p.tokenSource.headers.map((h) => ({ name: h.header ?? '', ...(h.prefix !== undefined && { prefix: h.prefix }) })) }),
    ...(p.tokenSource?.queryParams !== undefined && { fromParams: p.tokenSource.queryParams }),
    ...(p.claimsToHeaders !== undefined && { claimsToHeaders: p.claimsToHeaders.map((h) => ({ claim: h.claim ?? '', header: h.header ?? '' })) }),
    ...(p.clockSkewSeconds !== undefined && { clockSkew: `${p.clockSkewSeconds}s` }),
  };
}

/** Gloo's local key: a JWKS or one JWK as JSON, or a PEM public key (converted to a JWK). */
function localKeys(key: string): { keys: object[] } | undefined {
  const text = key.trim();
  try {
    if (text.startsWith('{')) {
      const parsed = JSON.parse(text) as { keys?: object[] };
      return Array.isArray(parsed.keys) ? { keys: parsed.keys } : { keys: [parsed] };
    }
    return { keys: [createPublicKey(text).export({ format: 'jwk' })] };
  } catch {
    return undefined;
  }
}
