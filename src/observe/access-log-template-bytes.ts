// A template line (access-log-format.ts) written as bytes straight into the writer's buffer: the
// operators' values are still strings, but the line is not one (no concatenations, no flattened
// copy: most of a template line's garbage). The fixed text is bytes made once. A value with a
// non-ASCII character declines the line (false) and it goes the string road, which encodes UTF-8;
// templates escape nothing, so every other character is copied as it is, as that road writes it.
import type { AccessEntry } from './access-log-entry.ts';
import type { LineWriter } from './access-log-writer.ts';

export type LineBytes = (w: LineWriter, e: AccessEntry) => boolean;

/** `s` as bytes when it is all ASCII; else -1. */
function ascii(buf: Uint8Array, at: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return -1;
    buf[at + i] = c;
  }
  return at + s.length;
}

/** The bytes road of a compiled template: `parts` are its fixed text and its operators, in order. */
export function templateBytes(parts: ReadonlyArray<string | ((e: AccessEntry) => string)>): LineBytes {
  const pieces = parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p));
  const fixed = pieces.reduce((n, p) => n + (typeof p === 'function' ? 0 : p.length), 0);
  // This line's values, by part (the fixed parts' slots stay empty): filled, then written.
  const values: string[] = parts.map(() => '');
  return (w, e) => {
    let most = fixed + 1;
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i]!;
      if (typeof p === 'function') most += (values[i] = p(e)).length;
    }
    const buf = w.room(most);
    if (buf === undefined) return false;
    let o = w.at;
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i]!;
      if (typeof p !== 'function') {
        // set() costs more than a loop for the few bytes between most operators.
        if (p.length > 16) buf.set(p, o);
        else for (let j = 0; j < p.length; j++) buf[o + j] = p[j]!;
        o += p.length;
      } else if ((o = ascii(buf, o, values[i]!)) < 0) return false;
    }
    w.commit(o);
    return true;
  };
}
