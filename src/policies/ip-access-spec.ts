// Validation of a TrafficPolicy's `spec.ipAccess`: every CIDR checked with the parser the data
// plane compiles them with, so a range that validates is one the matcher takes.
import { type Check, describe, type Json } from '../api/check.ts';
import { parseCidr } from './ip-cidr.ts';

const FIELDS = new Set(['allow', 'deny']);
/** Enough for any real list; the matcher scans them in turn. */
export const MAX_CIDRS = 1000;

export function checkIpAccess(c: Check, value: unknown, path: string): void {
  const o: Json | undefined = c.object(value, path, true);
  if (o === undefined) return;
  for (const k of Object.keys(o)) if (!FIELDS.has(k)) c.fail(`${path}.${k}`, 'unknown field; expected one of allow, deny');
  if (o.allow === undefined && o.deny === undefined) c.fail(path, 'must set allow or deny');
  for (const list of ['allow', 'deny'] as const) {
    const items = c.array(o[list], `${path}.${list}`);
    if (items === undefined) continue;
    if (items.length > MAX_CIDRS) c.fail(`${path}.${list}`, `must hold at most ${MAX_CIDRS} CIDRs, got ${items.length}`);
    items.forEach((item, i) => {
      const at = `${path}.${list}[${i}]`;
      if (typeof item !== 'string') return c.fail(at, `must be a CIDR such as 10.0.0.0/8 or 2001:db8::/32, got ${describe(item)}`);
      const cidr = parseCidr(item);
      if (typeof cidr === 'string') c.fail(at, `must be a CIDR such as 10.0.0.0/8 or 2001:db8::/32: ${cidr}`);
    });
  }
}
