// What an implementation was seen to do with one case's requests, and the one check of it against
// the case's expected outcome, shared by every implementation.
import assert from 'node:assert/strict';
import type { ContractCase } from './cases.ts';

export interface Observed {
  /** the response status; 0 when the TLS handshake failed */
  readonly status: number;
  /** the upstream that answered */
  readonly upstream?: string;
  readonly upstreamPath?: string;
  /** headers the upstream received, lower-case names, several values joined by `, ` */
  readonly upstreamHeaders?: Readonly<Record<string, string>>;
  readonly location?: string;
  readonly responseHeaders?: Readonly<Record<string, string>>;
  /** TLS: the first DNS name of the certificate served, null when the handshake failed */
  readonly certificate?: string | null;
  /** the response body of an answer no upstream gave */
  readonly body?: string;
  /** ms from the request to its answer */
  readonly heldMs?: number;
}

/** `resolve` turns hashOf() placeholders into the implementation's ingress hashes. */
export function assertOutcome(c: ContractCase, seen: readonly Observed[], resolve: (value: string) => string): void {
  const e = c.expect;
  assert.ok(seen.length > 0, 'no request was made');
  for (const s of seen) {
    assert.equal(s.status, e.status, `status (saw ${JSON.stringify(s)})`);
    if (typeof e.upstream === 'string') assert.equal(s.upstream, e.upstream, 'upstream');
    if (e.upstreamPath !== undefined) assert.equal(s.upstreamPath, e.upstreamPath, 'path the upstream received');
    for (const [name, value] of Object.entries(e.upstreamHeaders ?? {})) {
      assert.equal(s.upstreamHeaders?.[name], value ?? undefined, `upstream header ${name}`);
    }
    const by = s.upstream !== undefined ? e.upstreamHeadersBy?.[s.upstream as keyof typeof e.upstreamHeadersBy] : undefined;
    for (const [name, value] of Object.entries(by ?? {})) assert.equal(s.upstreamHeaders?.[name], value, `upstream header ${name} at ${s.upstream}`);
    if (e.location !== undefined) assert.equal(s.location, e.location, 'Location');
    for (const [name, value] of Object.entries(e.responseHeaders ?? {})) assert.equal(s.responseHeaders?.[name], resolve(value), `response header ${name}`);
    if (e.certificate !== undefined) assert.equal(s.certificate, e.certificate, 'certificate');
    if (e.body !== undefined) assert.equal(s.body, e.body, 'body');
    if (e.heldMs !== undefined) assert.ok((s.heldMs ?? 0) >= e.heldMs, `held ${s.heldMs} ms, at least ${e.heldMs} expected`);
  }
  if (Array.isArray(e.upstream)) {
    const picked = [...new Set(seen.map((s) => s.upstream))].sort();
    assert.deepEqual(picked, [...e.upstream].sort(), 'upstreams picked');
  }
}
