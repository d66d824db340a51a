// Validation of a `sluice.dev/v1alpha1` TrafficPolicy's spec: every problem with its field path, so
// a bad policy is rejected (and its last good version kept) instead of reaching a route.
import { durationMs } from '../gateway-api/spec-values.ts';
import { checkRequestBody } from '../policies/body-limit-spec.ts';
import { checkCors } from '../policies/cors-spec.ts';
import { checkAuthzBody, checkContextExtensions } from '../policies/ext-authz-spec.ts';
import { checkIpAccess } from '../policies/ip-access-spec.ts';
import { checkJwt } from '../policies/jwt-spec.ts';
import { type Check, describe, isHeaderName, isHostPort, type Json } from './check.ts';
import { checkGlobalRateLimit } from './validate-global-rate-limit.ts';
import { checkRetry, checkTimeouts } from './validate-traffic-policy-retry.ts';

const SPEC_FIELDS = new Set(['targetRefs', 'rateLimit', 'extAuthz', 'retry', 'timeouts', 'ipAccess', 'jwt', 'requestBody', 'cors']);
/** the policies a TrafficPolicy may carry; it must carry one */
const POLICY_FIELDS = ['rateLimit', 'extAuthz', 'retry', 'timeouts', 'ipAccess', 'jwt', 'requestBody', 'cors'];
const REF_FIELDS = new Set(['group', 'kind', 'name', 'sectionName']);
const RATE_FIELDS = new Set(['requests', 'unit', 'burst', 'key', 'global']);
const AUTHZ_FIELDS = new Set(['disabled', 'grpc', 'http', 'timeout', 'failureMode', 'headersToSend', 'headersToUpstream', 'withRequestBody', 'contextExtensions']);
const TARGET_KINDS: Readonly<Record<string, string>> = { Gateway: 'gateway.networking.k8s.io', HTTPRoute: 'gateway.networking.k8s.io', GRPCRoute: 'gateway.networking.k8s.io' };
// Large enough for any real quota, small enough that token arithmetic stays exact.
const MAX_REQUESTS = 1_000_000_000;

function known(c: Check, obj: Json, fields: ReadonlySet<string>, path: string): void {
  for (const k of Object.keys(obj)) if (!fields.has(k)) c.fail(`${path}.${k}`, `unknown field; expected one of ${[...fields].join(', ')}`);
}

export function checkTrafficPolicy(c: Check, doc: Json): void {
  const spec = c.object(doc.spec, 'spec', true);
  if (spec === undefined) return;
  known(c, spec, SPEC_FIELDS, 'spec');
  const refs = c.array(spec.targetRefs, 'spec.targetRefs');
  refs?.forEach((r, i) => checkTargetRef(c, r, `spec.targetRefs[${i}]`));
  if (POLICY_FIELDS.every((f) => spec[f] === undefined)) c.fail('spec', `must set one of ${POLICY_FIELDS.join(', ')}`);
  if (spec.rateLimit !== undefined) checkRateLimit(c, spec.rateLimit, 'spec.rateLimit');
  if (spec.extAuthz !== undefined) checkExtAuthz(c, spec.extAuthz, 'spec.extAuthz');
  if (spec.ipAccess !== undefined) checkIpAccess(c, spec.ipAccess, 'spec.ipAccess');
  if (spec.jwt !== undefined) checkJwt(c, spec.jwt, 'spec.jwt');
  if (spec.requestBody !== undefined) checkRequestBody(c, spec.requestBody, 'spec.requestBody');
  if (spec.cors !== undefined) checkCors(c, spec.cors, 'spec.cors');
  if (spec.retry !== undefined) checkRetry(c, spec.retry, 'spec.retry');
  if (spec.timeouts !== undefined) checkTimeouts(c, spec.timeouts, 'spec.timeouts');
}

function checkTargetRef(c: Check, value: unknown, path: string): void {
  const ref = c.object(value, path, true);
  if (ref === undefined) return;
  known(c, ref, REF_FIELDS, path);
  const kind = c.string(ref.kind, `${path}.kind`, true);
  const group = c.string(ref.group, `${path}.group`, true);
  c.string(ref.name, `${path}.name`, true);
  c.string(ref.sectionName, `${path}.sectionName`);
  if (kind !== undefined && !Object.hasOwn(TARGET_KINDS, kind)) c.fail(`${path}.kind`, `must be Gateway, HTTPRoute or GRPCRoute, got ${describe(kind)}`);
  else if (kind !== undefined && group !== undefined && group !== TARGET_KINDS[kind]) c.fail(`${path}.group`, `must be ${TARGET_KINDS[kind]} for ${kind}`);
}

function checkRateLimit(c: Check, value: unknown, path: string): void {
  const rl = c.object(value, path, true);
  if (rl === undefined) return;
  known(c, rl, RATE_FIELDS, path);
  if (rl.global !== undefined) checkGlobalRateLimit(c, rl.global, `${path}.global`);
  // A global limit alone is fine; the local fields then come all or none.
  const local = rl.global === undefined || ['requests', 'unit', 'burst', 'key'].some((k) => rl[k] !== undefined);
  if (!local) return;
  const requests = c.integer(rl.requests, `${path}.requests`, true);
  if (requests !== undefined && (requests < 1 || requests > MAX_REQUESTS)) c.fail(`${path}.requests`, `must be 1 to ${MAX_REQUESTS}`);
  const unit = c.string(rl.unit, `${path}.unit`, true);
  if (unit !== undefined && unit !== 'second' && unit !== 'minute' && unit !== 'hour') c.fail(`${path}.unit`, `must be second, minute or hour, got ${describe(unit)}`);
  const burst = c.integer(rl.burst, `${path}.burst`);
  if (burst !== undefined && requests !== undefined && (burst < requests || burst > MAX_REQUESTS)) c.fail(`${path}.burst`, `must be at least requests (${requests}) and at most ${MAX_REQUESTS}`);
  const key = c.string(rl.key, `${path}.key`);
  if (key !== undefined && key !== 'route' && key !== 'client' && !(key.startsWith('header:') && isHeaderName(key.slice(7)))) {
    c.fail(`${path}.key`, `must be route, client or header:<name>, got ${describe(key)}`);
  }
}

function checkExtAuthz(c: Check, value: unknown, path: string): void {
  const a = c.object(value, path, true);
  if (a === undefined) return;
  known(c, a, AUTHZ_FIELDS, path);
  const disabled = c.boolean(a.disabled, `${path}.disabled`);
  const grpc = c.object(a.grpc, `${path}.grpc`);
  const http = c.object(a.http, `${path}.http`);
  if (disabled !== true && (grpc === undefined) === (http === undefined)) c.fail(path, 'must set exactly one of grpc and http (or disabled: true)');
  if (grpc !== undefined) {
    known(c, grpc, new Set(['address']), `${path}.grpc`);
    const addr = c.string(grpc.address, `${path}.grpc.address`, true);
    if (addr !== undefined && !isHostPort(addr)) c.fail(`${path}.grpc.address`, `must be host:port (port 1 to 65535), got ${describe(addr)}`);
  }
  if (http !== undefined) {
    known(c, http, new Set(['url']), `${path}.http`);
    const url = c.string(http.url, `${path}.http.url`, true);
    if (url !== undefined && !/^http:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(url)) c.fail(`${path}.http.url`, `must be http://host:port[/path], got ${describe(url)}`);
  }
  if (a.timeout !== undefined && (durationMs(a.timeout) === undefined || durationMs(a.timeout) === 0)) c.fail(`${path}.timeout`, `must be a Gateway API duration above 0 (e.g. 500ms), got ${describe(a.timeout)}`);
  const mode = c.string(a.failureMode, `${path}.failureMode`);
  if (mode !== undefined && mode !== 'allow' && mode !== 'deny') c.fail(`${path}.failureMode`, `must be allow or deny, got ${describe(mode)}`);
  if (a.withRequestBody !== undefined) checkAuthzBody(c, a.withRequestBody, `${path}.withRequestBody`);
  if (a.contextExtensions !== undefined) checkContextExtensions(c, a.contextExtensions, `${path}.contextExtensions`);
  for (const list of ['headersToSend', 'headersToUpstream'] as const) {
    c.array(a[list], `${path}.${list}`)?.forEach((h, i) => {
      if (typeof h !== 'string' || !isHeaderName(h)) c.fail(`${path}.${list}[${i}]`, `must be a header name, got ${describe(h)}`);
    });
  }
}
