// Validation of a TrafficPolicy's `spec.rateLimit.global` (a limit kept by a rate limit service
// speaking Envoy's envoy.service.ratelimit.v3): every problem with its field path.
import { durationMs } from '../gateway-api/spec-values.ts';
import { type Check, describe, isHeaderName, isHostPort, type Json } from './check.ts';

const GLOBAL_FIELDS = new Set(['service', 'domain', 'descriptors', 'timeout', 'failureMode']);
const ENTRY_FIELDS = new Set(['key', 'value', 'fromHeader', 'clientAddress', 'route']);
const SOURCES = ['value', 'fromHeader', 'clientAddress', 'route'] as const;
// Bounds that keep one request's call to the service small, whatever the policy says.
export const MAX_DESCRIPTORS = 16;
export const MAX_ENTRIES = 16;
const MAX_TEXT = 256;
// Printable, no control characters: keys and values travel in a gRPC message and Envoy's config.
const TEXT = /^[\x20-\x7e]+$/;

function known(c: Check, obj: Json, fields: ReadonlySet<string>, path: string): void {
  for (const k of Object.keys(obj)) if (!fields.has(k)) c.fail(`${path}.${k}`, `unknown field; expected one of ${[...fields].join(', ')}`);
}

function text(c: Check, value: unknown, path: string, required: boolean): string | undefined {
  const s = c.string(value, path, required);
  if (s === undefined) return undefined;
  if (s.length > MAX_TEXT || !TEXT.test(s)) {
    c.fail(path, `must be 1 to ${MAX_TEXT} printable ASCII characters, got ${describe(s)}`);
    return undefined;
  }
  return s;
}

export function checkGlobalRateLimit(c: Check, value: unknown, path: string): void {
  const g = c.object(value, path, true);
  if (g === undefined) return;
  known(c, g, GLOBAL_FIELDS, path);
  const service = c.string(g.service, `${path}.service`, true);
  if (service !== undefined && !isHostPort(service)) c.fail(`${path}.service`, `must be host:port (port 1 to 65535), got ${describe(service)}`);
  text(c, g.domain, `${path}.domain`, true);
  const list = c.nonEmptyArray(g.descriptors, `${path}.descriptors`);
  if (list !== undefined && list.length > MAX_DESCRIPTORS) c.fail(`${path}.descriptors`, `must hold at most ${MAX_DESCRIPTORS} descriptors`);
  list?.slice(0, MAX_DESCRIPTORS).forEach((d, i) => checkDescriptor(c, d, `${path}.descriptors[${i}]`));
  if (g.timeout !== undefined && (durationMs(g.timeout) === undefined || durationMs(g.timeout) === 0)) c.fail(`${path}.timeout`, `must be a Gateway API duration above 0 (e.g. 100ms), got ${describe(g.timeout)}`);
  const mode = c.string(g.failureMode, `${path}.failureMode`);
  if (mode !== undefined && mode !== 'allow' && mode !== 'deny') c.fail(`${path}.failureMode`, `must be allow or deny, got ${describe(mode)}`);
}

function checkDescriptor(c: Check, value: unknown, path: string): void {
  const entries = c.nonEmptyArray(value, path);
  if (entries === undefined) return;
  if (entries.length > MAX_ENTRIES) c.fail(path, `must hold at most ${MAX_ENTRIES} entries`);
  entries.slice(0, MAX_ENTRIES).forEach((e, i) => checkEntry(c, e, `${path}[${i}]`));
}

function checkEntry(c: Check, value: unknown, path: string): void {
  const e = c.object(value, path, true);
  if (e === undefined) return;
  known(c, e, ENTRY_FIELDS, path);
  const set = SOURCES.filter((s) => e[s] !== undefined);
  if (set.length !== 1) {
    c.fail(path, `must set exactly one of ${SOURCES.join(', ')}`);
    return;
  }
  const source = set[0]!;
  if (source === 'clientAddress') {
    if (e.clientAddress !== true) c.fail(`${path}.clientAddress`, `must be true, got ${describe(e.clientAddress)}`);
    // Envoy's remote_address action has no key of its own.
    if (e.key !== undefined && e.key !== 'remote_address') c.fail(`${path}.key`, `must be remote_address (or left out) for clientAddress, as Envoy names it, got ${describe(e.key)}`);
    return;
  }
  text(c, e.key, `${path}.key`, true);
  if (source === 'value') text(c, e.value, `${path}.value`, true);
  else if (source === 'route' && e.route !== true) c.fail(`${path}.route`, `must be true, got ${describe(e.route)}`);
  else if (source === 'fromHeader' && (typeof e.fromHeader !== 'string' || !isHeaderName(e.fromHeader))) c.fail(`${path}.fromHeader`, `must be a header name, got ${describe(e.fromHeader)}`);
}
