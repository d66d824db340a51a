// Bounds on frames that cost the server work and carry nothing (RFC 9113 10.5), after Envoy's
// http2_protocol_options and nghttp2: empty DATA frames, WINDOW_UPDATE and PRIORITY frames out of
// proportion to the streams and DATA they could concern, and streams reset before their response
// (the client's RST_STREAM or ours for its misbehaviour) making up most of a connection's streams
// however slowly they come. A method that throws ends the connection with ENHANCE_YOUR_CALM.
import { Budget } from './budget.ts';
import { ENHANCE_YOUR_CALM, H2ProtocolError } from './frames.ts';

/** Empty DATA frames without END_STREAM: burst and refill per second. */
const EMPTY_DATA = { burst: 100, perSecond: 10 };
/** WINDOW_UPDATE frames allowed: this many, plus 2 a stream and 10 per DATA frame we sent. */
const WINDOW_UPDATE_BASE = 100;
const WINDOW_UPDATES_PER_DATA_FRAME = 10;
/** PRIORITY frames allowed: this many, plus 100 a stream (Envoy's max_inbound_priority_frames_per_stream). */
const PRIORITY_BASE = 100;
const PRIORITY_PER_STREAM = 100;
/** Streams a connection starts before the share reset early is judged (Envoy's premature_reset_total_stream_count). */
export const PREMATURE_RESET_MIN_STREAMS = 500;

export class FloodGuard {
  /** Stream ids the client started (opened, refused or reset at once). */
  streamsStarted = 0;
  /** DATA frames we sent: each lets the client send WINDOW_UPDATEs. */
  dataFramesSent = 0;
  #windowUpdates = 0;
  #priorities = 0;
  #premature = 0;
  readonly #emptyData = new Budget(EMPTY_DATA.burst, EMPTY_DATA.perSecond);

  emptyData(): void {
    if (!this.#emptyData.spend()) throw calm('empty DATA flood');
  }

  windowUpdate(): void {
    if (++this.#windowUpdates > WINDOW_UPDATE_BASE + 2 * this.streamsStarted + WINDOW_UPDATES_PER_DATA_FRAME * this.dataFramesSent) {
      throw calm('WINDOW_UPDATE flood');
    }
  }

  priority(): void {
    if (++this.#priorities > PRIORITY_BASE + PRIORITY_PER_STREAM * this.streamsStarted) throw calm('PRIORITY flood');
  }

  /** A stream reset before its response ended; false once such streams are most of the connection's. */
  premature(): boolean {
    this.#premature++;
    return this.streamsStarted < PREMATURE_RESET_MIN_STREAMS || this.#premature * 2 <= this.streamsStarted;
  }
}

function calm(message: string): H2ProtocolError {
  return new H2ProtocolError(ENHANCE_YOUR_CALM, 0, message);
}
