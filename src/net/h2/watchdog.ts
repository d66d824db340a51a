// The connection's clock: every deadline the core keeps against a peer that stops answering or
// stops moving. One unref'd interval per connection ticks at a fraction of the shortest deadline;
// hot paths only stamp the current tick number (no clock read per frame) and each tick compares.
//
//   SETTINGS ACK       our SETTINGS unacknowledged after settingsTimeoutMs: GOAWAY SETTINGS_TIMEOUT
//                      (RFC 9113 6.5.3)
//   keep-alive PING    nothing read for keepAlive.intervalMs: PING; no ACK within timeoutMs: the
//                      peer is gone (a dead client behind a NAT), GOAWAY and the socket destroyed
//   idle               no stream open for idleTimeoutMs: graceful GOAWAY (keep-alive PINGs and
//                      their ACKs do not count as activity)
//   stalled streams    a stream waiting on the client (request body not sent while its window is
//                      open, or response held by the client's zero window or an unread socket)
//                      with no progress for streamIdleTimeoutMs is reset CANCEL; more than
//                      maxStalledStreams stalled past stalledAfterMs end the connection
//                      (ENHANCE_YOUR_CALM). A stream waiting on us (its upstream) is never stalled.
import type { H2Connection } from './connection.ts';
import { CANCEL, ENHANCE_YOUR_CALM, H2ProtocolError, NO_ERROR, SETTINGS_TIMEOUT } from './frames.ts';
import type { H2Stream } from './stream.ts';

export interface WatchdogLimits {
  settingsTimeoutMs: number;
  idleTimeoutMs: number;
  keepAlive?: { intervalMs: number; timeoutMs: number } | undefined;
  streamIdleTimeoutMs: number;
  stalledAfterMs: number;
  maxStalledStreams: number;
}

const KEEPALIVE_OPAQUE = Buffer.from('sluiceka');
const MIN_PERIOD_MS = 5;
const MAX_PERIOD_MS = 1000;

export class Watchdog {
  /** Ticks since the connection started: the unit every stamp is in. */
  tick = 0;
  /** Tick of the last read from the socket. */
  readTick = 0;
  /** Tick at which the connection last had no stream left (idle since). */
  idleSince = 0;
  #settingsSentAt = 0;
  #settingsUnacked = 0;
  #pingSentAt = -1;
  readonly #conn: H2Connection;
  readonly #timer: NodeJS.Timeout | undefined;
  readonly #settingsTicks: number;
  readonly #idleTicks: number;
  readonly #pingEvery: number;
  readonly #pingWithin: number;
  readonly #streamTicks: number;
  readonly #stalledTicks: number;
  readonly #maxStalled: number;

  constructor(conn: H2Connection, limits: WatchdogLimits) {
    this.#conn = conn;
    const deadlines = [limits.settingsTimeoutMs, limits.idleTimeoutMs, limits.keepAlive?.intervalMs ?? 0, limits.keepAlive?.timeoutMs ?? 0, limits.streamIdleTimeoutMs, limits.stalledAfterMs].filter((ms) => ms > 0);
    const period = Math.min(MAX_PERIOD_MS, Math.max(MIN_PERIOD_MS, Math.floor(Math.min(...deadlines) / 4)));
    const ticks = (ms: number): number => (ms > 0 ? Math.max(1, Math.ceil(ms / period)) : 0);
    this.#settingsTicks = ticks(limits.settingsTimeoutMs);
    this.#idleTicks = ticks(limits.idleTimeoutMs);
    this.#pingEvery = ticks(limits.keepAlive?.intervalMs ?? 0);
    this.#pingWithin = ticks(limits.keepAlive?.timeoutMs ?? 0);
    this.#streamTicks = ticks(limits.streamIdleTimeoutMs);
    this.#stalledTicks = ticks(limits.stalledAfterMs);
    this.#maxStalled = limits.maxStalledStreams;
    if (deadlines.length > 0) {
      this.#timer = setInterval(() => this.#onTick(), period);
      this.#timer.unref();
    }
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
  }

  /** We sent a SETTINGS frame: the peer owes an ACK. */
  settingsSent(): void {
    if (this.#settingsUnacked++ === 0) this.#settingsSentAt = this.tick;
  }

  settingsAcked(): void {
    if (this.#settingsUnacked > 0) this.#settingsUnacked--;
    this.#settingsSentAt = this.tick;
  }

  /** A PING ACK: true when it answers our keep-alive PING. */
  pingAcked(opaque: Buffer): boolean {
    if (!opaque.equals(KEEPALIVE_OPAQUE)) return false;
    this.#pingSentAt = -1;
    return true;
  }

  #onTick(): void {
    const conn = this.#conn;
    if (conn.dead) return this.stop();
    const now = ++this.tick;
    if (this.#settingsTicks > 0 && this.#settingsUnacked > 0 && now - this.#settingsSentAt > this.#settingsTicks) {
      return conn.fail(new H2ProtocolError(SETTINGS_TIMEOUT, 0, 'SETTINGS not acknowledged'));
    }
    if (this.#pingEvery > 0 && this.#keepAlive(now)) return;
    if (conn.streams.size === 0) {
      if (this.#idleTicks > 0 && now - this.idleSince > this.#idleTicks) conn.close();
      return;
    }
    if (this.#streamTicks > 0 || this.#maxStalled > 0) this.#checkStreams(now);
  }

  /** Sends the keep-alive PING when due; true when the peer is taken as gone. */
  #keepAlive(now: number): boolean {
    const conn = this.#conn;
    if (this.#pingSentAt >= 0) {
      if (now - this.#pingSentAt <= this.#pingWithin) return false;
      conn.fail(new H2ProtocolError(NO_ERROR, 0, 'keep-alive PING unanswered'));
      // A dead peer reads nothing: do not wait for it to take the GOAWAY.
      conn.destroy();
      return true;
    }
    // At the tick count, not past it: a PING up to one tick early is only a probe, and a late one
    // can miss a peer that is about to answer (the drop deadline below stays strict).
    if (now - this.readTick >= this.#pingEvery) {
      this.#pingSentAt = now;
      conn.writer.ping(false, KEEPALIVE_OPAQUE);
      conn.flushSoon();
    }
    return false;
  }

  #checkStreams(now: number): void {
    const conn = this.#conn;
    let stalled = 0;
    for (const s of conn.streams.values()) {
      // The clock runs only while the client holds the stream up.
      if (!waitingOnClient(conn, s)) {
        s.progressTick = now;
        continue;
      }
      const still = now - s.progressTick;
      if (this.#streamTicks > 0 && still > this.#streamTicks) {
        s.reset(CANCEL);
        if (!conn.countServerReset()) return;
        continue;
      }
      if (still > this.#stalledTicks) stalled++;
    }
    if (this.#maxStalled > 0 && stalled > this.#maxStalled) {
      conn.fail(new H2ProtocolError(ENHANCE_YOUR_CALM, 0, 'too many stalled streams'));
    }
  }
}

/** The stream cannot move until the client does: sends its body, opens its window, reads. */
function waitingOnClient(conn: H2Connection, s: H2Stream): boolean {
  if (!s.remoteClosed && s.recvWindow > 0) return true;
  return !s.localClosed && s.queued > 0 && (s.sendWindow <= 0 || conn.sendWindow <= 0 || conn.output.socketBlocked);
}
