// The internal header that turns a forwarded request into a function call. The exchange sends a
// function split's request to the function host like to any cluster (so timeouts, retries, mirrors,
// header edits, metrics and streaming stay the exchange's); the route's compiled request edits
// *set* this header, so whatever a client sent under that name is replaced, and the token (random,
// per process, never sent anywhere but loopback) proves to the host that the gateway sent it.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { HeaderEdits } from '../snapshot/types.ts';

export const FUNCTION_HEADER = 'x-sluice-function';

/** The name a function split's cluster has in the data plane (metrics' `cluster` label). */
export const FUNCTION_CLUSTER_PREFIX = 'function:';

export function functionClusterName(binding: string): string {
  return FUNCTION_CLUSTER_PREFIX + binding;
}

const TOKEN = randomBytes(18).toString('base64url');
const TOKEN_BYTES = Buffer.from(TOKEN);

/** The request edits a function split adds after the route's and its own: its call header. */
export function functionCallEdits(binding: string): HeaderEdits {
  // The binding's name comes from configuration: encoded, it can never break a header line.
  return { set: [[FUNCTION_HEADER, `${TOKEN} ${encodeURIComponent(binding)}`]], add: [], remove: [] };
}

/** The binding a call header names, or undefined when the header is missing, malformed or not this process's. */
export function calledBinding(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const space = value.indexOf(' ');
  if (space < 0) return undefined;
  const token = Buffer.from(value.slice(0, space));
  if (token.length !== TOKEN_BYTES.length || !timingSafeEqual(token, TOKEN_BYTES)) return undefined;
  try {
    return decodeURIComponent(value.slice(space + 1));
  } catch {
    return undefined;
  }
}
