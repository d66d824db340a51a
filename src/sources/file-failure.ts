// What a config file that cannot be used as a whole is reported as. A file fails when it does not
// parse (a syntax error anywhere in it), cannot be read, or is over a limit (too large, too many
// documents). The file source then keeps every object the file last contributed, unchanged, until
// the file can be used again: a half-written file or a typo must not take routes away. A file
// deleted is still a deletion.
import type { Rejection } from '../api/types.ts';

/** How a failed file is reported: where and why (and, when it held objects, that they stay). */
export interface FileFailure {
  readonly rejections: readonly Rejection[];
}

const KEPT = 'not applied: the objects this file defined before stay in force until it can be read again';

/** The failure of a file whose documents did not all parse; the line comes from the parser's message. */
export function syntaxFailure(syntaxErrors: readonly Rejection[], kept: boolean): FileFailure {
  return {
    rejections: syntaxErrors.map((r) => {
      const line = r.origin.line ?? lineOf(r.errors[0]?.message ?? '');
      const origin = line === undefined ? r.origin : { ...r.origin, line };
      return { ...r, origin, errors: kept ? [...r.errors, { path: '', message: KEPT }] : r.errors };
    }),
  };
}

/** The failure of a whole file: unreadable, or over a limit. */
export function wholeFileFailure(file: string, message: string, kept: boolean): FileFailure {
  const errors = [{ path: '', message }];
  if (kept) errors.push({ path: '', message: KEPT });
  return { rejections: [{ origin: { file }, errors }] };
}

function lineOf(message: string): number | undefined {
  const m = /\bat line (\d+)/.exec(message);
  return m === null ? undefined : Number(m[1]);
}

/** Whether two failures report the same thing (a file retried on every rescan is reported once). */
export function sameFailure(a: FileFailure | undefined, b: FileFailure): boolean {
  return a !== undefined && JSON.stringify(a.rejections) === JSON.stringify(b.rejections);
}
