// Validation of a `sluice.dev/v1alpha1` BackendPolicy's spec: every problem with its field path, so a
// bad policy is rejected (and its last good version kept) instead of reaching a cluster.
import { durationMs } from '../gateway-api/spec-values.ts';
import { type Check, describe, type Json } from './check.ts';

const SPEC_FIELDS = new Set(['targetRefs', 'circuitBreakers', 'outlierDetection', 'healthCheck']);
const REF_FIELDS = new Set(['group', 'kind', 'name', 'sectionName']);
const BREAKER_FIELDS = ['maxConnections', 'maxPendingRequests', 'maxRequests', 'maxConcurrentStreams'] as const;
const OUTLIER_FIELDS = new Set(['consecutive5xx', 'consecutiveGatewayFailure', 'consecutiveConnectFailure', 'baseEjectionTime', 'maxEjectionPercent']);
const HEALTH_FIELDS = new Set(['path', 'host', 'interval', 'timeout', 'healthyThreshold', 'unhealthyThreshold', 'expectedStatuses']);
/** group of each target kind: core Services, Gloo Upstreams */
const TARGET_GROUPS: Readonly<Record<string, readonly string[]>> = { Service: ['', 'core'], Upstream: ['gloo.solo.io'] };
// Envoy's thresholds are uint32.
const MAX_LIMIT = 4_294_967_295;
const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$/;
const STATUS_RANGE = /^([1-5]\d\d)(?:-([1-5]\d\d))?$/;

function known(c: Check, obj: Json, fields: ReadonlySet<string>, path: string): void {
  for (const k of Object.keys(obj)) if (!fields.has(k)) c.fail(`${path}.${k}`, `unknown field; expected one of ${[...fields].join(', ')}`);
}

function count(c: Check, value: unknown, path: string, min: number, max: number, required = false): void {
  const n = c.integer(value, path, required);
  if (n !== undefined && (n < min || n > max)) c.fail(path, `must be ${min} to ${max}, got ${n}`);
}

function duration(c: Check, value: unknown, path: string): void {
  if (value === undefined) return;
  const ms = durationMs(value);
  if (ms === undefined || ms === 0) c.fail(path, `must be a Gateway API duration above 0 (e.g. 500ms, 10s), got ${describe(value)}`);
}

export function checkBackendPolicy(c: Check, doc: Json): void {
  const spec = c.object(doc.spec, 'spec', true);
  if (spec === undefined) return;
  known(c, spec, SPEC_FIELDS, 'spec');
  const refs = c.array(spec.targetRefs, 'spec.targetRefs', true);
  if (refs !== undefined && refs.length === 0) c.fail('spec.targetRefs', 'must name at least one Service or Upstream');
  refs?.forEach((r, i) => checkTargetRef(c, r, `spec.targetRefs[${i}]`));
  if (spec.circuitBreakers === undefined && spec.outlierDetection === undefined && spec.healthCheck === undefined) {
    c.fail('spec', 'must set circuitBreakers, outlierDetection or healthCheck');
  }
  if (spec.circuitBreakers !== undefined) checkBreakers(c, spec.circuitBreakers, 'spec.circuitBreakers');
  if (spec.outlierDetection !== undefined) checkOutlier(c, spec.outlierDetection, 'spec.outlierDetection');
  if (spec.healthCheck !== undefined) checkHealth(c, spec.healthCheck, 'spec.healthCheck');
}

function checkTargetRef(c: Check, value: unknown, path: string): void {
  const ref = c.object(value, path, true);
  if (ref === undefined) return;
  known(c, ref, REF_FIELDS, path);
  const kind = c.string(ref.kind, `${path}.kind`, true);
  const group = c.string(ref.group, `${path}.group`) ?? '';
  c.string(ref.name, `${path}.name`, true);
  // GEP-713's sectionName on a Service is one of its ports, by name; an Upstream has no sections.
  const section = c.string(ref.sectionName, `${path}.sectionName`);
  if (section !== undefined && kind !== 'Service') c.fail(`${path}.sectionName`, 'only a Service has sections (its ports, by name)');
  if (kind !== undefined && !Object.hasOwn(TARGET_GROUPS, kind)) c.fail(`${path}.kind`, `must be Service or Upstream, got ${describe(kind)}`);
  else if (kind !== undefined && !TARGET_GROUPS[kind]!.includes(group)) c.fail(`${path}.group`, `must be ${kind === 'Service' ? '"" (core)' : 'gloo.solo.io'} for ${kind}`);
}

function checkBreakers(c: Check, value: unknown, path: string): void {
  const b = c.object(value, path, true);
  if (b === undefined) return;
  known(c, b, new Set(BREAKER_FIELDS), path);
  for (const f of BREAKER_FIELDS) count(c, b[f], `${path}.${f}`, 1, MAX_LIMIT);
}

function checkOutlier(c: Check, value: unknown, path: string): void {
  const o = c.object(value, path, true);
  if (o === undefined) return;
  known(c, o, OUTLIER_FIELDS, path);
  for (const f of ['consecutive5xx', 'consecutiveGatewayFailure', 'consecutiveConnectFailure'] as const) count(c, o[f], `${path}.${f}`, 0, 1_000_000);
  duration(c, o.baseEjectionTime, `${path}.baseEjectionTime`);
  count(c, o.maxEjectionPercent, `${path}.maxEjectionPercent`, 0, 100);
  if (o.consecutive5xx === 0 && (o.consecutiveGatewayFailure ?? 0) === 0 && (o.consecutiveConnectFailure ?? 0) === 0) {
    c.fail(path, 'every consecutive count is 0: nothing would ever be ejected');
  }
}

function checkHealth(c: Check, value: unknown, path: string): void {
  const h = c.object(value, path, true);
  if (h === undefined) return;
  known(c, h, HEALTH_FIELDS, path);
  const p = c.string(h.path, `${path}.path`, true);
  // It becomes a request target: no whitespace or control characters, absolute.
  if (p !== undefined && !/^\/[\x21-\x7e]*$/.test(p)) c.fail(`${path}.path`, `must start with / and hold no spaces or control characters, got ${describe(p)}`);
  const host = c.string(h.host, `${path}.host`);
  if (host !== undefined && !HOST.test(host)) c.fail(`${path}.host`, `must be a host name, got ${describe(host)}`);
  duration(c, h.interval, `${path}.interval`);
  duration(c, h.timeout, `${path}.timeout`);
  count(c, h.healthyThreshold, `${path}.healthyThreshold`, 1, 1000);
  count(c, h.unhealthyThreshold, `${path}.unhealthyThreshold`, 1, 1000);
  const statuses = c.array(h.expectedStatuses, `${path}.expectedStatuses`);
  if (statuses !== undefined && statuses.length === 0) c.fail(`${path}.expectedStatuses`, 'must list at least one status');
  statuses?.forEach((s, i) => {
    const at = `${path}.expectedStatuses[${i}]`;
    if (typeof s === 'number') {
      if (!Number.isInteger(s) || s < 100 || s > 599) c.fail(at, `must be a status 100 to 599, got ${describe(s)}`);
      return;
    }
    const m = typeof s === 'string' ? STATUS_RANGE.exec(s) : null;
    if (m === null || (m[2] !== undefined && Number(m[2]) < Number(m[1]))) c.fail(at, `must be a status or a range "from-to" of statuses 100 to 599, got ${describe(s)}`);
  });
}
