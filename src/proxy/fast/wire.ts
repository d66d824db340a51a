// Serialising HTTP/1.1 heads for the fast path: request heads to upstreams, response heads and
// local replies to clients. Heads are latin1 strings (header values are latin1 on the wire).
import { STATUS_CODES } from 'node:http';
import type { LocalReply } from '../local-reply.ts';
import { putLatin1 } from './head-buffer.ts';

/** `METHOD url HTTP/1.1` + raw headers; `chunked` adds the framing header the proxy re-frames with. */
export function requestHead(method: string, url: string, headers: readonly string[], chunked: boolean): string {
  let s = `${method} ${url} HTTP/1.1\r\n`;
  for (let i = 0; i < headers.length; i += 2) s += `${headers[i]}: ${headers[i + 1]}\r\n`;
  if (chunked) s += 'transfer-encoding: chunked\r\n';
  return `${s}\r\n`;
}

const CHUNKED_LINE = 'transfer-encoding: chunked\r\n';

/** The bytes requestHead() makes, without making it. */
export function requestHeadSize(method: string, url: string, headers: readonly string[], chunked: boolean): number {
  // `M U HTTP/1.1\r\n`, `n: v\r\n` per field, the blank line (latin1: one byte per UTF-16 unit)
  let n = method.length + url.length + 14 + (chunked ? CHUNKED_LINE.length : 0);
  for (let i = 0; i < headers.length; i += 2) n += headers[i]!.length + headers[i + 1]!.length + 4;
  return n;
}

/** requestHead()'s bytes written into `b` from 0 (room for requestHeadSize() bytes); returns their length. */
export function writeRequestHead(b: Buffer, method: string, url: string, headers: readonly string[], chunked: boolean): number {
  let p = putLatin1(b, 0, method);
  b[p++] = 0x20;
  p = putLatin1(b, p, url);
  p = putLatin1(b, p, ' HTTP/1.1\r\n');
  for (let i = 0; i < headers.length; i += 2) {
    p = putLatin1(b, p, headers[i]!);
    b[p++] = 0x3a;
    b[p++] = 0x20;
    p = putLatin1(b, p, headers[i + 1]!);
    b[p++] = 0x0d;
    b[p++] = 0x0a;
  }
  if (chunked) p = putLatin1(b, p, CHUNKED_LINE);
  b[p++] = 0x0d;
  b[p++] = 0x0a;
  return p;
}

export function responseHead(status: number, reason: string, headers: readonly string[], chunked: boolean, close: boolean): string {
  let s = `HTTP/1.1 ${status} ${reason || STATUS_CODES[status] || 'Unknown'}\r\n`;
  for (let i = 0; i < headers.length; i += 2) s += `${headers[i]}: ${headers[i + 1]}\r\n`;
  if (chunked) s += 'transfer-encoding: chunked\r\n';
  if (close) s += 'connection: close\r\n';
  return `${s}\r\n`;
}

/** A complete local reply (head and body) as one Buffer. */
export function localReplyBytes(reply: LocalReply, headRequest: boolean, close: boolean): Buffer {
  const body = Buffer.from(reply.body);
  let s = `HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status] ?? 'Unknown'}\r\n`;
  for (const [n, v] of reply.headers) s += `${n}: ${v}\r\n`;
  s += `content-length: ${body.length}\r\n`;
  if (close) s += 'connection: close\r\n';
  const head = Buffer.from(`${s}\r\n`, 'latin1');
  return headRequest ? head : Buffer.concat([head, body]);
}

/** The head of one re-framed chunk. */
export function chunkHead(size: number): string {
  return `${size.toString(16)}\r\n`;
}

export const CRLF = '\r\n';
export const LAST_CHUNK = '0\r\n\r\n';

/** Status line + close for requests refused before they could be parsed (same as answerClientError). */
export function errorBytes(status: 400 | 408 | 413 | 431): string {
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`;
}

/**
 * Whether bytes are really waiting in user space. write() returns false for any single write of
 * highWaterMark bytes or more even when the kernel took it all at once, so pausing the other side
 * on that would stop and restart it for every 64 KB read; 'drain' still follows whenever this is
 * true, since the write that crossed the mark set needDrain.
 */
export function backedUp(s: { readonly writableLength: number; readonly writableHighWaterMark: number }): boolean {
  return s.writableLength >= s.writableHighWaterMark;
}
