// The snapshot's content hash: SHA-256 over a canonical JSON form (object keys sorted at every
// level, arrays in their already deterministic order), so equal content always hashes the same
// regardless of how the input maps were filled.
import { createHash } from 'node:crypto';

/**
 * `memo` (optional) remembers the text of arrays already written, for values that share parts: the
 * external and cluster-local virtual hosts of one rule share their routes.
 */
export function canonicalJson(value: unknown, memo?: WeakMap<object, string>): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    const known = memo?.get(value);
    if (known !== undefined) return known;
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i], memo);
    out += ']';
    memo?.set(value, out);
    return out;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = '{';
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    out += (out.length === 1 ? '' : ',') + quotedKey(k) + ':' + canonicalJson(v, memo);
  }
  return out + '}';
}

// Snapshots use a handful of key names over and over; quoting each once saves most of the work.
const quoted = new Map<string, string>();
function quotedKey(k: string): string {
  let q = quoted.get(k);
  if (q === undefined) {
    q = JSON.stringify(k);
    if (quoted.size < 1000) quoted.set(k, q);
  }
  return q;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
