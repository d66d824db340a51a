// What each frame a client sends means to a server connection (RFC 9113 sections 5 and 6): stream
// states, the errors the RFC names, flow control on receipt. Called by connection.ts for every
// frame; a thrown H2ProtocolError is a connection error (stream 0) or a stream error.
import type { H2Connection } from './connection.ts';
import {
  CONTINUATION, DATA, ENHANCE_YOUR_CALM, FLAG_ACK, FLAG_END_HEADERS, FLAG_END_STREAM, FLAG_PADDED, FLAG_PRIORITY,
  FLOW_CONTROL_ERROR, FRAME_SIZE_ERROR, GOAWAY, H2ProtocolError, HEADERS, MAX_WINDOW, PING, PRIORITY, PROTOCOL_ERROR,
  PUSH_PROMISE, REFUSED_STREAM, RST_STREAM, SETTINGS, STREAM_CLOSED, WINDOW_UPDATE,
} from './frames.ts';
import { applyPeerSettings } from './settings.ts';
import { receiveHeaderBlock } from './connection-headers.ts';

/** HEADERS without END_HEADERS: the fragments so far. */
export interface PendingBlock {
  streamId: number;
  endStream: boolean;
  /** The stream's priority named itself (a stream error once the block is decoded). */
  selfDependent: boolean;
  parts: Buffer[];
  size: number;
  frames: number;
}

/** CONTINUATION frames one header block may take, and bytes it may reach (the CONTINUATION flood). */
const MAX_BLOCK_FRAMES = 64;

export function handleFrame(conn: H2Connection, type: number, flags: number, id: number, payload: Buffer): void {
  try {
    if (conn.pendingBlock !== undefined && type !== CONTINUATION) {
      throw new H2ProtocolError(PROTOCOL_ERROR, 0, 'expected CONTINUATION');
    }
    switch (type) {
      case DATA: return onData(conn, flags, id, payload);
      case HEADERS: return onHeaders(conn, flags, id, payload);
      case CONTINUATION: return onContinuation(conn, flags, id, payload);
      case PRIORITY:
        conn.floods.priority();
        return onPriority(id, payload);
      case RST_STREAM: return onRstStream(conn, id, payload);
      case SETTINGS: return onSettings(conn, flags, id, payload);
      case PING: return onPing(conn, flags, id, payload);
      case GOAWAY:
        if (id !== 0) throw new H2ProtocolError(PROTOCOL_ERROR, 0, 'GOAWAY on a stream');
        if (payload.length < 8) throw new H2ProtocolError(FRAME_SIZE_ERROR, 0, 'short GOAWAY');
        return;
      case WINDOW_UPDATE:
        conn.floods.windowUpdate();
        return onWindowUpdate(conn, id, payload);
      case PUSH_PROMISE: throw new H2ProtocolError(PROTOCOL_ERROR, 0, 'PUSH_PROMISE from a client');
      default:
        // Unknown frame types are ignored (RFC 9113 5.5).
        return;
    }
  } catch (err) {
    if (!(err instanceof H2ProtocolError)) throw err;
    if (err.stream === 0) return conn.fail(err);
    streamError(conn, err.stream, err.code);
  }
}

/**
 * RST_STREAM for a stream error; the stream (if still known) is closed. Resets the client provoked
 * count against the reset bound as its own would ("made you reset"); refusals past our
 * concurrency limit or our GOAWAY do not.
 */
export function streamError(conn: H2Connection, id: number, code: number): void {
  const s = conn.streams.get(id);
  if (s !== undefined) s.reset(code);
  else {
    conn.writer.rstStream(id, code);
    conn.flushSoon();
  }
  if (code !== REFUSED_STREAM) conn.countServerReset();
}

/** Strips padding (RFC 9113 6.1): the payload's [start, end) without pad length byte and padding. */
function unpad(flags: number, payload: Buffer, reserved: number): number {
  if ((flags & FLAG_PADDED) === 0) return payload.length;
  if (payload.length < 1 + reserved) throw new H2ProtocolError(FRAME_SIZE_ERROR, 0, 'frame too short for its padding');
  const pad = payload[0]!;
  if (pad > payload.length - 1 - reserved) throw new H2ProtocolError(PROTOCOL_ERROR, 0, 'padding longer than the frame');
  return payload.length - pad;
}

function onData(conn: H2Connection, flags: number, id: number, payload: Buffer): void {
  if (id === 0) throw new H2ProtocolError(PROTOCOL_ERROR, 0, 'DATA on stream 0');
  const length = payload.length;
  if (length === 0 && (flags & FLAG_END_STREAM) === 0) conn.floods.emptyData();
  const end = unpad(flags, payload, 0);
  const start = (flags & FLAG_PADDED) !== 0 ? 1 : 0;
  if (length > conn.recvWindow) throw new H2ProtocolError(FLOW_CONTROL_ERROR, 0, 'DATA past the connection window');
  conn.recvWindow -= length;
  const s = conn.streams.get(id);
  if (s === undefined || s.remoteClosed) {
    // The bytes still count against the connection window: give them back now.
    conn.creditConnection(length);
    if (id > conn.lastStreamId) throw new H2ProtocolError(PROTOCOL_ERROR, 0, 'DATA on an idle stream');
    if (s === undefined && (conn.recentlyClosed.get(id) ?? -1) >= 0) return;
    throw new H2ProtocolError(STREAM_CLOSED, id, 'DATA on a closed stream');
  }
  if (length > s.recvWindow) {
    conn.creditConnection(length);
    throw new H2ProtocolError(FLOW_CONTROL_ERROR, id, 'DATA past the stream window');
  }
  s.recvWindow -= length;
  const n = end - start;
  // Padding and the pad length byte are flow-controlled but never reach the consumer.
  if (length > n) {
    conn.creditConnection(length - n);
    s.unacked += length - n;
  }
  s.received += n;
  s.bytesIn += n;
  s.progressTick = conn.watchdog.tick;
  if (s.contentLength >= 0 && s.received > s.contentLength) {
    s.unconsumed += n;
    throw new H2ProtocolError(PROTOCOL_ERROR, id, 'DATA beyond content-length');
  }
  const endStream = (flags & FLAG_END_STREAM) !== 0;
  if (endStream && s.contentLength >= 0 && s.received !== s.contentLength) {
    s.unconsumed += n;
    throw new H2ProtocolError(PROTOCOL_ERROR, id, 'DATA short of content-length');
  }
  if (n > 0) {
    s.unconsumed += n;
    // Our response is complete: nobody reads the rest of the body.
    if (s.localClosed) conn.consumed(s, n);
    else s.deliver(payload.subarray(start, end));
  }
  if (endStream && !s.closed) remoteEnd(conn, s.id, undefined);
}

/** The client's END_STREAM: the body ends; the stream closes if our side is done. */
export function remoteEnd(conn: H2Connection, id: number, trailers: string[] | undefined): void {
  const s = conn.streams.get(id);
  if (s === undefined) return;
  s.remoteClosed = true;
  s.deliverEnd(trailers);
  if (s.localClosed && !s.closed) conn.closeStream(s, 0, false, false);
}

function onHeaders(conn: H2Connection, flags: number, id: number, payload: Buffer): void {
  if (id === 0) throw new H2ProtocolError(PROTOCOL_ERROR, 0, 'HEADERS on stream 0');
  if ((id & 1) === 0) throw new H2ProtocolError(PROTOCOL_ERROR, 0, 'even stream id from a client');
  const priority = (flags & FLAG_PRIORITY) !== 0;
  const end = unpad(flags, payload, priority ? 5 : 0);
  let start = (flags & FLAG_PADDED) !== 0 ? 1 : 0;
  let selfDependent = false;
  if (priority) {
    if (end - start < 5) throw new H2ProtocolError(FRAME_SIZE_ERROR, 0, 'HEADERS too short for its priority');
    selfDependent = (payload.readUInt32BE(start) & 0x7fffffff) === id;
    start += 5;
  }
  const endStream = (flags & FLAG_END_STREAM) !== 0;
  if ((flags & FLAG_END_HEADERS) !== 0) return receiveHeaderBlock(conn, id, payload, start, end, endStream, selfDependent);
  const part = payload.subarray(start, end);
  conn.pendingBlock = { streamId: id, endStream, selfDependent, parts: [part], size: part.length, frames: 1 };
}

function onContinuation(conn: H2Connection, flags: number, id: number, payload: Buffer): void {
  const block = conn.pendingBlock;
  if (block === undefined || block.streamId !== id) throw new H2ProtocolError(PROTOCOL_ERROR, 0, 'unexpected CONTINUATION');
  block.parts.push(payload);
  block.size += payload.length;
  block.frames += 1;
  if (block.frames > MAX_BLOCK_FRAMES || block.size > 2 * conn.local.maxHeaderListSize) {
    throw new H2ProtocolError(ENHANCE_YOUR_CALM, 0, 'header block too large');
  }
  if ((flags & FLAG_END_HEADERS) === 0) return;
  conn.pendingBlock = undefined;
  const whole = Buffer.concat(block.parts, block.size);
  receiveHeaderBlock(conn, id, whole, 0, whole.length, block.endStream, block.selfDependent);
}

function onPriority(id: number, payload: Buffer): void {
  if (id === 0) throw new H2ProtocolError(PROTOCOL_ERROR, 0, 'PRIORITY on stream 0');
  if (payload.length !== 5) throw new H2ProtocolError(FRAME_SIZE_ERROR, id, 'PRIORITY length');
  // Priorities are ignored (RFC 9113 5.3.2), but a stream may not depend on itself.
  if ((payload.readUInt32BE(0) & 0x7fffffff) === id) throw new H2ProtocolError(PROTOCOL_ERROR, id, 'stream depends on itself');
}

function onRstStream(conn: H2Connection, id: number, payload: Buffer): void {
  if (id === 0) throw new H2ProtocolError(PROTOCOL_ERROR, 0, 'RST_STREAM on stream 0');
  if (payload.length !== 4) throw new H2ProtocolError(FRAME_SIZE_ERROR, 0, 'RST_STREAM length');
  if (id > conn.lastStreamId) throw new H2ProtocolError(PROTOCOL_ERROR, 0, 'RST_STREAM on an idle stream');
  const s = conn.streams.get(id);
  if (s === undefined) {
    // The client knows the stream is closed now: its later frames on it are errors (RFC 9113 5.1).
    if (conn.recentlyClosed.has(id)) conn.recentlyClosed.set(id, -1);
    return;
  }
  // A stream reset before its response ended costs from the rapid-reset budget (CVE-2023-44487).
  if (!s.localClosed && !conn.resetWithinBounds()) {
    conn.closeStream(s, payload.readUInt32BE(0), true, false);
    throw new H2ProtocolError(ENHANCE_YOUR_CALM, 0, 'too many streams reset');
  }
  conn.closeStream(s, payload.readUInt32BE(0), true, false);
}

function onSettings(conn: H2Connection, flags: number, id: number, payload: Buffer): void {
  if (id !== 0) throw new H2ProtocolError(PROTOCOL_ERROR, 0, 'SETTINGS on a stream');
  if ((flags & FLAG_ACK) !== 0) {
    if (payload.length !== 0) throw new H2ProtocolError(FRAME_SIZE_ERROR, 0, 'SETTINGS ACK with a payload');
    conn.watchdog.settingsAcked();
    return;
  }
  if (payload.length % 6 !== 0) throw new H2ProtocolError(FRAME_SIZE_ERROR, 0, 'SETTINGS length');
  if (!conn.controlFrames.spend() || conn.outputFull()) throw new H2ProtocolError(ENHANCE_YOUR_CALM, 0, 'SETTINGS flood');
  const tableBefore = conn.peer.headerTableSize;
  const delta = applyPeerSettings(payload, conn.peer);
  if (conn.peer.headerTableSize !== tableBefore) conn.encoder.setPeerMaxTableSize(conn.peer.headerTableSize);
  if (delta !== 0) {
    for (const s of conn.streams.values()) {
      if (s.sendWindow + delta > MAX_WINDOW) throw new H2ProtocolError(FLOW_CONTROL_ERROR, 0, 'stream window past 2^31-1');
      s.sendWindow += delta;
      if (delta > 0) conn.resumeSending(s);
    }
  }
  conn.writer.settingsAck();
  conn.flushSoon();
}

function onPing(conn: H2Connection, flags: number, id: number, payload: Buffer): void {
  if (id !== 0) throw new H2ProtocolError(PROTOCOL_ERROR, 0, 'PING on a stream');
  if (payload.length !== 8) throw new H2ProtocolError(FRAME_SIZE_ERROR, 0, 'PING length');
  if ((flags & FLAG_ACK) !== 0) {
    conn.pingAcked(payload);
    return;
  }
  if (!conn.controlFrames.spend() || conn.outputFull()) throw new H2ProtocolError(ENHANCE_YOUR_CALM, 0, 'PING flood');
  conn.writer.ping(true, payload);
  conn.flushSoon();
}

function onWindowUpdate(conn: H2Connection, id: number, payload: Buffer): void {
  if (payload.length !== 4) throw new H2ProtocolError(FRAME_SIZE_ERROR, 0, 'WINDOW_UPDATE length');
  const increment = payload.readUInt32BE(0) & 0x7fffffff;
  if (id === 0) {
    if (increment === 0) throw new H2ProtocolError(PROTOCOL_ERROR, 0, 'WINDOW_UPDATE of 0');
    if (conn.sendWindow + increment > MAX_WINDOW) throw new H2ProtocolError(FLOW_CONTROL_ERROR, 0, 'connection window past 2^31-1');
    conn.sendWindow += increment;
    for (const s of conn.streams.values()) if (s.queued > 0 || s.ending) conn.resumeSending(s);
    return;
  }
  if (id > conn.lastStreamId) throw new H2ProtocolError(PROTOCOL_ERROR, 0, 'WINDOW_UPDATE on an idle stream');
  const s = conn.streams.get(id);
  if (increment === 0) throw new H2ProtocolError(PROTOCOL_ERROR, id, 'WINDOW_UPDATE of 0');
  if (s === undefined) return lateWindowUpdate(conn, id, increment);
  if (s.sendWindow + increment > MAX_WINDOW) throw new H2ProtocolError(FLOW_CONTROL_ERROR, id, 'stream window past 2^31-1');
  s.sendWindow += increment;
  conn.resumeSending(s);
}


/** WINDOW_UPDATE on a stream we reset: allowed (RFC 9113 6.9), but an overflow is still an error. */
function lateWindowUpdate(conn: H2Connection, id: number, increment: number): void {
  const window = conn.recentlyClosed.get(id);
  if (window === undefined || window < 0) return;
  if (window + increment > MAX_WINDOW) {
    conn.recentlyClosed.set(id, -1);
    throw new H2ProtocolError(FLOW_CONTROL_ERROR, id, 'stream window past 2^31-1');
  }
  conn.recentlyClosed.set(id, window + increment);
}
