// Where a provider's token is: request headers (with a prefix such as `Bearer `, matched without
// regard to case) or query parameters, in the order configured. Pure: raw headers and the target in.
import type { JwtProvider } from '../snapshot/types.ts';
import { rawHeader } from '../proxy/raw-headers.ts';

/** A token longer than this is refused unread: no real JWT comes near it. */
export const MAX_TOKEN = 16 * 1024;

/** The provider's token in the request, '' when it has none there. */
export function tokenOf(p: JwtProvider, raw: readonly string[], url: string): string {
  for (const h of p.fromHeaders) {
    const v = rawHeader(raw, h.name);
    if (v === undefined) continue;
    if (h.prefix === '') return v.trim();
    if (v.length >= h.prefix.length && v.slice(0, h.prefix.length).toLowerCase() === h.prefix.toLowerCase()) return v.slice(h.prefix.length).trim();
  }
  if (p.fromParams.length > 0) {
    const q = url.indexOf('?');
    if (q >= 0) {
      const params = new URLSearchParams(url.slice(q + 1));
      for (const name of p.fromParams) {
        const v = params.get(name);
        if (v !== null && v !== '') return v;
      }
    }
  }
  return '';
}
