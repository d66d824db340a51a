// SETTINGS (RFC 9113 6.5): what we advertise, and the peer's values checked and applied in the
// order they arrive (6.5.3). Pure: no I/O.
import {
  DEFAULT_MAX_FRAME_SIZE, DEFAULT_WINDOW, FLOW_CONTROL_ERROR, H2ProtocolError, MAX_ALLOWED_FRAME_SIZE, MAX_WINDOW,
  PROTOCOL_ERROR, SETTINGS_ENABLE_CONNECT_PROTOCOL, SETTINGS_ENABLE_PUSH, SETTINGS_HEADER_TABLE_SIZE,
  SETTINGS_INITIAL_WINDOW_SIZE, SETTINGS_MAX_CONCURRENT_STREAMS, SETTINGS_MAX_FRAME_SIZE, SETTINGS_MAX_HEADER_LIST_SIZE,
} from './frames.ts';

/** The client's settings as they stand. */
export interface PeerSettings {
  headerTableSize: number;
  initialWindowSize: number;
  maxFrameSize: number;
  maxHeaderListSize: number;
}

export function defaultPeerSettings(): PeerSettings {
  return { headerTableSize: 4096, initialWindowSize: DEFAULT_WINDOW, maxFrameSize: DEFAULT_MAX_FRAME_SIZE, maxHeaderListSize: Number.POSITIVE_INFINITY };
}

/**
 * Applies one SETTINGS payload (length already checked to be a multiple of 6). Returns the change
 * of SETTINGS_INITIAL_WINDOW_SIZE, which every open stream's send window takes (6.9.2); throws a
 * connection error for a value out of range.
 */
export function applyPeerSettings(payload: Buffer, peer: PeerSettings): number {
  const before = peer.initialWindowSize;
  for (let p = 0; p + 6 <= payload.length; p += 6) {
    const id = payload.readUInt16BE(p);
    const value = payload.readUInt32BE(p + 2);
    switch (id) {
      case SETTINGS_HEADER_TABLE_SIZE:
        peer.headerTableSize = value;
        break;
      case SETTINGS_ENABLE_PUSH:
        if (value > 1) throw new H2ProtocolError(PROTOCOL_ERROR, 0, 'ENABLE_PUSH out of range');
        break;
      case SETTINGS_INITIAL_WINDOW_SIZE:
        if (value > MAX_WINDOW) throw new H2ProtocolError(FLOW_CONTROL_ERROR, 0, 'INITIAL_WINDOW_SIZE out of range');
        peer.initialWindowSize = value;
        break;
      case SETTINGS_MAX_FRAME_SIZE:
        if (value < DEFAULT_MAX_FRAME_SIZE || value > MAX_ALLOWED_FRAME_SIZE) throw new H2ProtocolError(PROTOCOL_ERROR, 0, 'MAX_FRAME_SIZE out of range');
        peer.maxFrameSize = value;
        break;
      case SETTINGS_MAX_HEADER_LIST_SIZE:
        peer.maxHeaderListSize = value;
        break;
      case SETTINGS_ENABLE_CONNECT_PROTOCOL:
        if (value > 1) throw new H2ProtocolError(PROTOCOL_ERROR, 0, 'ENABLE_CONNECT_PROTOCOL out of range');
        break;
      case SETTINGS_MAX_CONCURRENT_STREAMS:
        // Limits the streams we open: a server that never pushes opens none.
        break;
      default:
        // Unknown settings are ignored (6.5.2).
        break;
    }
  }
  return peer.initialWindowSize - before;
}

/** Our limits, as advertised in the first SETTINGS frame. */
export interface LocalSettings {
  maxConcurrentStreams: number;
  /** Each stream's receive window. */
  initialWindowSize: number;
  maxFrameSize: number;
  maxHeaderListSize: number;
}

export function localSettingsPairs(s: LocalSettings): number[] {
  return [
    SETTINGS_MAX_CONCURRENT_STREAMS, s.maxConcurrentStreams,
    SETTINGS_INITIAL_WINDOW_SIZE, s.initialWindowSize,
    SETTINGS_MAX_FRAME_SIZE, s.maxFrameSize,
    SETTINGS_MAX_HEADER_LIST_SIZE, s.maxHeaderListSize,
    SETTINGS_ENABLE_CONNECT_PROTOCOL, 1,
    SETTINGS_ENABLE_PUSH, 0,
  ];
}
