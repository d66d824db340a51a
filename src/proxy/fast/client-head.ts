// The fast path's response head to the client: the upstream's head forwarded as bytes where it
// can be (zero-copy, or one small copy), with the first body bytes of the same read in one write.
import type { Socket } from 'node:net';
import { clientResponseHeaders } from '../headers.ts';
import { CHUNKED, LENGTH, NO_BODY, type ResponseHead, UNTIL_CLOSE } from './parse.ts';
import { copyBytes, type HeadBuffer, putLatin1 } from './head-buffer.ts';
import { responseHead } from './wire.ts';

/** Largest body part copied into a rewritten response head so that both go out in one buffer. */
const INLINE_COPY_MAX = 2048;

/** The route's response-side policies (the exchange): they see and edit the head's fields. */
export interface ResponseEditor {
  responseHeaders(status: number, headers: string[]): string[];
}

/**
 * Writes `head` (parsed from `buf`, its body from `bodyStart`) to the client, with as much of a
 * Content-Length body as `buf` holds; returns that many body bytes. Leaves the socket corked when
 * more writes follow (the caller uncorks). A head from a lean parse (`drops`) goes out as bytes;
 * a fully parsed one (the route edits response headers, or the head needed it) is re-serialised
 * through `editor`.
 */
export function writeClientHead(s: Socket, buf: Buffer, head: ResponseHead, bodyStart: number, close: boolean, editor: ResponseEditor, heads: HeadBuffer): number {
  const off = head.start;
  const f = head.framing;
  // The usual case: head and (part of) a Content-Length body in one upstream read, one client write.
  const inline = f === LENGTH ? Math.min(head.contentLength, buf.length - bodyStart) : 0;
  const more = bodyStart + inline < buf.length && f !== NO_BODY && !(f === LENGTH && head.contentLength === inline);
  const chunkedOut = f === CHUNKED || f === UNTIL_CLOSE;
  // Body bytes ride in the head's buffer when that costs no copy or a small one (one write);
  // a larger part goes as a second buffer of the same writev: copying 64 KB costs more.
  const split = head.drops !== null && inline > INLINE_COPY_MAX && !(head.drops.length === 0 && !chunkedOut && !close);
  // Cork only when several writes follow; a single write goes straight out.
  if (more || head.drops === null || split) s.cork();
  if (split) {
    forwardHead(s, heads, buf, off, bodyStart, head.drops!, chunkedOut, close, 0);
    s.write(buf.subarray(bodyStart, bodyStart + inline));
  } else if (head.drops !== null) forwardHead(s, heads, buf, off, bodyStart, head.drops, chunkedOut, close, inline);
  else {
    const fields = editor.responseHeaders(head.status, clientResponseHeaders(head.raw));
    s.write(responseHead(head.status, head.reason, fields, chunkedOut, close), 'latin1');
    if (inline > 0) s.write(buf.subarray(bodyStart, bodyStart + inline));
  }
  return inline;
}

/**
 * Writes the upstream's head as bytes to the client: its own status line and fields minus the
 * hop-by-hop lines, plus our framing lines, plus `inline` body bytes. Zero-copy when nothing
 * needs cutting or adding; otherwise one small copy into the listener's head buffer, so the client
 * still gets a single write.
 */
function forwardHead(s: Socket, heads: HeadBuffer, buf: Buffer, start: number, bodyStart: number, drops: readonly number[], chunked: boolean, close: boolean, inline: number): void {
  const extra = chunked ? (close ? 'transfer-encoding: chunked\r\nconnection: close\r\n' : 'transfer-encoding: chunked\r\n') : close ? 'connection: close\r\n' : '';
  if (drops.length === 0 && extra === '') {
    s.write(buf.subarray(start, bodyStart + inline));
    return;
  }
  let size = bodyStart - start + extra.length + inline;
  for (let i = 0; i < drops.length; i += 2) size -= drops[i + 1]! - drops[i]!;
  const out = heads.room(size);
  let pos = 0;
  let from = start;
  for (let i = 0; i < drops.length; i += 2) {
    pos = copyBytes(out, pos, buf, from, drops[i]!);
    from = drops[i + 1]!;
  }
  // Everything up to the blank line, our lines, the blank line, then the body bytes.
  pos = copyBytes(out, pos, buf, from, bodyStart - 2);
  if (extra !== '') pos = putLatin1(out, pos, extra);
  pos = copyBytes(out, pos, buf, bodyStart - 2, bodyStart + inline);
  heads.send(s, pos);
}
