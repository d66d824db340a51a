// IR path rewrites -> Envoy's path rewrite specifiers, shared by RouteAction (url-rewrite) and
// RedirectAction (redirect): `prefix_rewrite`, or `regex_rewrite` where a literal prefix swap
// would not do what the IR means.
import type { PathMatch, PathRewrite } from '../snapshot/types.ts';
import type { ProtoObject } from './encode.ts';
import { regexMatcher, segmentPrefix } from './route-match.ts';

/** RE2 syntax characters escaped, so a path matches literally. */
export function escapeRegex(s: string): string {
  return s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/** In a substitution `\N` is a capture group, so a literal backslash is doubled. */
function substitution(s: string): string {
  return s.replaceAll('\\', '\\\\');
}

function regexRewrite(pattern: string, replacement: string): ProtoObject {
  return { regex_rewrite: { pattern: regexMatcher(pattern), substitution: substitution(replacement) } };
}

/**
 * The fields (`prefix_rewrite` or `regex_rewrite`) that make `rewrite` of a route matched by
 * `match`. Envoy matches `regex_rewrite` against the path without its query and puts the query
 * back, so the query is kept either way.
 *
 * - `full`: the whole path (`^.*$`, one match) becomes the value.
 * - `prefix` on a literal `prefix` match: Envoy's `prefix_rewrite` is exactly that.
 * - `prefix` on a `segment-prefix` match (Gateway API `ReplacePrefixMatch`): the matched segments
 *   are replaced and the rest, empty or starting with `/`, kept, so a trailing `/` of the value is
 *   dropped. With `/` as the value a literal swap would make `/foo/bar` into `//bar`; as Envoy
 *   Gateway does, a regex for the prefix and the slashes after it is replaced by `/` instead
 *   (`/foo/bar` -> `/bar`, `/foo` -> `/`). The regex counts the prefix's segments (`/foo/bar`:
 *   `^(?:/[^/]*){2}/*`) rather than spelling them: the route matched them already, and Envoy
 *   refuses a regex over its RE2 program size limit (100 by default), which a long literal prefix
 *   would reach, and with it the whole route configuration.
 *   Matched on `/` (every path), the value followed by `/` replaces the leading `/`.
 * - `prefix` on an `exact` or `regex` match: the matched part is the whole path, replaced by the
 *   value without its trailing `/` (`/` when nothing is left), as the data plane does.
 */
export function pathRewriteFields(rewrite: PathRewrite, match: PathMatch): ProtoObject {
  if (rewrite.type === 'full') return regexRewrite('^.*$', rewrite.value);
  if (rewrite.type === 'regex') return { regex_rewrite: { pattern: regexMatcher(rewrite.pattern), substitution: rewrite.substitution } };
  switch (match.type) {
    case 'prefix':
      return { prefix_rewrite: rewrite.value };
    case 'exact':
    case 'regex':
      return regexRewrite('^.*$', rewrite.value.replace(/\/+$/, '') || '/');
    case 'segment-prefix': {
      const matched = segmentPrefix(match.value);
      const replacement = rewrite.value.replace(/\/+$/, '');
      if (matched === '/') return { prefix_rewrite: `${replacement}/` };
      if (replacement === '') return regexRewrite(`^(?:/[^/]*){${matched.split('/').length - 1}}/*`, '/');
      return { prefix_rewrite: replacement };
    }
  }
}
