// One line per problem, the way `sluice validate` prints them and the file source logs them:
//   file:line: Kind namespace/name: field.path: message
// (`file#doc` when the line is not known: a duplicate found when files are merged).
import type { Origin, Rejection } from './types.ts';

/** `file#doc`, plus ` items[i]` for an item of a `kind: List` (file sources add `item` to the origin). */
export function formatOrigin(origin: Origin & { item?: number }): string {
  if (origin.file === undefined) return origin.cluster ? 'cluster' : '(unknown origin)';
  const doc = origin.doc === undefined ? origin.file : `${origin.file}#${origin.doc}`;
  return origin.item === undefined ? doc : `${doc} items[${origin.item}]`;
}

export function formatRejection(r: Rejection): string[] {
  // A List item's index is already the `items[i]` prefix of every error path.
  const origin = formatOrigin({ ...r.origin, item: undefined });
  const where = (line: number | undefined): string => (line === undefined || r.origin.file === undefined ? origin : `${r.origin.file}:${line}`);
  const what = r.kind === undefined ? '' : r.name === undefined ? `${r.kind}: ` : `${r.kind} ${r.namespace === '' ? '' : `${r.namespace ?? 'default'}/`}${r.name}: `;
  if (r.errors.length === 0) return [`${where(r.line ?? r.origin.line)}: ${what}rejected`];
  return r.errors.map((e) => `${where(e.line ?? r.line ?? r.origin.line)}: ${what}${e.path === '' ? '' : `${e.path}: `}${e.message}`);
}
