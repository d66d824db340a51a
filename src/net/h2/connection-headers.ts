// A whole header block from a client (HEADERS plus any CONTINUATION): decoded first, whatever
// happens next, so the HPACK table stays in step with the client's; then a new request stream,
// trailers on an open one, or the error RFC 9113 names.
import type { H2Connection } from './connection.ts';
import { COMPRESSION_ERROR, H2ProtocolError, PROTOCOL_ERROR, REFUSED_STREAM, STREAM_CLOSED } from './frames.ts';
import { type RequestHead, checkTrailers, parseRequestHead } from './request-head.ts';
import { remoteEnd, streamError } from './connection-frames.ts';

const head: RequestHead = { method: '', scheme: undefined, authority: undefined, path: undefined, protocol: undefined, fields: [], contentLength: -1 };

export function receiveHeaderBlock(conn: H2Connection, id: number, buf: Buffer, start: number, end: number, endStream: boolean, selfDependent: boolean): void {
  const pairs: string[] = [];
  try {
    conn.decoder.decode(buf, start, end, pairs);
  } catch {
    throw new H2ProtocolError(COMPRESSION_ERROR, 0, 'header block cannot be decoded');
  }
  const s = conn.streams.get(id);
  if (s !== undefined) {
    if (s.remoteClosed) throw new H2ProtocolError(STREAM_CLOSED, id, 'HEADERS on a half-closed stream');
    if (!endStream || selfDependent) throw new H2ProtocolError(PROTOCOL_ERROR, id, 'trailers without END_STREAM');
    if (checkTrailers(pairs) !== undefined) throw new H2ProtocolError(PROTOCOL_ERROR, id, 'malformed trailers');
    if (s.contentLength >= 0 && s.received !== s.contentLength) throw new H2ProtocolError(PROTOCOL_ERROR, id, 'DATA short of content-length');
    s.bytesIn += end - start;
    return remoteEnd(conn, id, pairs);
  }
  if (id <= conn.lastStreamId) {
    const closed = conn.recentlyClosed.get(id);
    // We reset it: the client may not know yet (RFC 9113 5.1, "closed").
    if (closed !== undefined && closed >= 0) return;
    if (closed !== undefined) throw new H2ProtocolError(STREAM_CLOSED, 0, 'HEADERS on a closed stream');
    throw new H2ProtocolError(PROTOCOL_ERROR, 0, 'stream id not increasing');
  }
  conn.lastStreamId = id;
  conn.floods.streamsStarted++;
  // After our GOAWAY, streams past its last id are refused, so the client knows to retry them
  // elsewhere (RFC 9113 6.8 allows ignoring them; REFUSED_STREAM says so explicitly).
  if (conn.goingAway) return refuse(conn, id, REFUSED_STREAM);
  if (selfDependent) return refuse(conn, id, PROTOCOL_ERROR);
  if (conn.streams.size >= conn.local.maxConcurrentStreams) return refuse(conn, id, REFUSED_STREAM);
  if (conn.decoder.listTooLarge === true || listSize(pairs) > conn.local.maxHeaderListSize) return tooLarge(conn, id, endStream);
  if (parseRequestHead(pairs, head) !== undefined) return refuse(conn, id, PROTOCOL_ERROR);
  if (endStream && head.contentLength > 0) return refuse(conn, id, PROTOCOL_ERROR);
  const stream = conn.openStream(id);
  stream.method = head.method;
  stream.scheme = head.scheme;
  stream.authority = head.authority;
  stream.path = head.path;
  stream.protocol = head.protocol;
  stream.headers = head.fields;
  stream.contentLength = head.contentLength;
  stream.endStream = endStream;
  stream.bytesIn = end - start;
  conn.onStream(stream);
  if (endStream && !stream.closed) remoteEnd(conn, id, undefined);
}

/** A stream error on a stream that never opened: RST_STREAM, and its late frames ignored. */
function refuse(conn: H2Connection, id: number, code: number): void {
  conn.recentlyClosed.set(id, conn.peer.initialWindowSize);
  streamError(conn, id, code);
}

/** RFC 9113 6.5.2: each field counts its name, its value and 32 octets. */
function listSize(pairs: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < pairs.length; i++) n += pairs[i]!.length;
  return n + 16 * pairs.length;
}

/** An oversized header list is answered 431 (as node:http2 does), not a protocol error. */
function tooLarge(conn: H2Connection, id: number, endStream: boolean): void {
  conn.recentlyClosed.set(id, conn.peer.initialWindowSize);
  conn.writer.headers(id, conn.encoder.encode([':status', '431']), true, conn.peer.maxFrameSize);
  if (!endStream) conn.writer.rstStream(id, 0);
  conn.flushSoon();
  conn.countServerReset();
}
