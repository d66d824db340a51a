// Which YAML texts the fast path (yaml-fast.ts, js-yaml) leaves to the `yaml` package: those where
// js-yaml could read something else than the `yaml` package, or accept what it rejects. Each case
// below was found by the differential test (test/sources/yaml-fast.test.ts) or by reading the two
// parsers. The scans are cheap and conservative: they may match inside a quoted string, a block
// scalar or a comment, which only costs speed; Kubernetes manifests rarely use any of this.
import { flowSpansLines } from './yaml-lines.ts';

// At the start of a line:
// - a sequence entry left empty on its line (`-` alone, `- # c`): after one, js-yaml can take
//   the next, less indented entry into the inner sequence;
// - a `---` or `...` line with more than a comment after the marker (`--- - a`, `... b`, `---b`):
//   the `yaml` package rejects a block collection there, content after `...`, and reads `---b`
//   as text, not as a marker.
const AT_LINE_START = String.raw`[ \t]*(?:-[ \t]+)*-[ \t]*(?:#[^\n]*)?(?:\r?\n|$)|(?:---|\.\.\.)(?![ \t]+#|[ \t]*(?:\r?\n|$))`;
const FIRST_LINE = new RegExp(`^(?:${AT_LINE_START})`);
// Anywhere, with characters common in manifests (the regex starts with a literal character, so
// that V8 scans it quickly):
// - a flow collection as an implicit key (`[a]: b`, `{a: b}: c`): js-yaml makes `[a]` the key
//   `a` and `{a: b}` the key `[object Object]`, the `yaml` package `[ a ]` and `{ a: b }`;
// - compact nested sequences (`- - a`), where js-yaml misplaces empty entries as above;
// - a carriage return not followed by a line feed: a line break for js-yaml, text for `yaml`.
const COMMON = new RegExp(String.raw`[\]}][ \t]*:|-[ \t]+-(?:\s|$)|\n(?:${AT_LINE_START})|\r(?!\n)`);
// With characters that are rare in manifests, tested only when one of them is there:
// - anchors and aliases (`&a`, `*a`): js-yaml shares aliased values, so an alias bomb would be
//   expanded by detached() without the `yaml` path's bound (maxAliasCount); tags (`!x`): js-yaml's
//   tags are not the `yaml` package's;
// - directives (`%YAML 1.1` switches the `yaml` package to the YAML 1.1 schema);
// - explicit keys (`? key`), which can be collections (as above);
// - a tab in the indentation, which the `yaml` package rejects;
// - a block scalar with an explicit indentation (`|2`, `>-1`) or kept final line breaks (`|+`),
//   which the two read differently at the end of the text or when under-indented;
// - a byte order mark other than the first (which the caller strips), which js-yaml keeps as text.
const RARE_CHARS = /[&*!?%\t|>\uFEFF]/;
const RARE = /(?:^|[\s[{,:])[&*!]|(?:^|\n)%|(?:^|[\s[{,])\?(?:\s|$)|(?:^|\n) *\t|(?:^|\s)[|>](?:[-+]?[0-9]|\+)|\uFEFF/;

// The `yaml` package refuses an implicit key whose `:` is more than 1024 characters after its
// start; js-yaml has no such limit. Keys are short in practice, so a file with a line of 1,000
// characters or more (long base64 data, say) is left to the `yaml` path.
const LONG_LINE = 1000;

function hasLongLine(text: string): boolean {
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if ((nl === -1 ? text.length : nl) - start >= LONG_LINE) return true;
    if (nl === -1) return false;
    start = nl + 1;
  }
}

/** True if only the `yaml` package can be trusted to read `text` (see above and yaml-lines.ts). */
export function fastPathDeclines(text: string): boolean {
  return (
    FIRST_LINE.test(text) ||
    COMMON.test(text) ||
    (RARE_CHARS.test(text) && RARE.test(text)) ||
    hasLongLine(text) ||
    flowSpansLines(text)
  );
}
