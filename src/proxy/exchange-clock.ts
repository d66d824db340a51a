// An exchange's place on the data plane's deadline sweep (deadlines.ts): its route deadline for
// the current attempt, its idle timeout, or a fault delay's hold; one entry at a time, the earliest.
import { type ExchangeDeadlines, type Expirable, IdleWatch, routeDeadline } from './deadlines.ts';

type RouteTimeout = { readonly request?: number; readonly backendRequest?: number; readonly idle?: number };

export class ExchangeClock {
  #armed = false;
  /** this attempt's request/backendRequest deadline (performance.now() ms) and its timeout; +Infinity: none */
  #deadline = Number.POSITIVE_INFINITY;
  #deadlineMs = Number.POSITIVE_INFINITY;
  readonly #idle = new IdleWatch();
  readonly #sweep: ExchangeDeadlines;
  readonly #x: Expirable;

  constructor(sweep: ExchangeDeadlines, x: Expirable) {
    this.#sweep = sweep;
    this.#x = x;
  }

  /** A new exchange: nothing armed (the last one was disarmed when it finished). */
  reset(): void {
    this.#deadline = this.#deadlineMs = Number.POSITIVE_INFINITY;
    this.#idle.ms = 0;
  }

  /** Holds the exchange until `at` (a fault delay); `ms` sets how often the sweep looks. */
  hold(at: number, ms: number): void {
    this.#sweep.arm(this.#x, at, ms);
    this.#armed = true;
  }

  /**
   * Holds for a fault's delay of `ms`, bounded by the route's request timeout (`request`, counted
   * from `started`): true when that timeout ends the hold.
   */
  holdDelay(ms: number, started: number, request: number | undefined): boolean {
    const end = started + (request ?? 0);
    const at = performance.now() + ms;
    const cut = request !== undefined && request > 0 && end <= at;
    this.hold(cut ? end : at, cut ? request : ms);
    return cut;
  }

  /** The request goes upstream: its idle timeout starts now. */
  start(timeout: RouteTimeout, now: number): void {
    if (timeout.idle !== undefined && timeout.idle > 0) this.#idle.start(timeout.idle, now);
  }

  /** Arms the route's deadline for an attempt (`started`: when the request came), with the idle timeout. */
  arm(timeout: RouteTimeout, started: number): void {
    const now = performance.now();
    const d = routeDeadline(timeout, started, now);
    if (d !== undefined) {
      this.#deadline = d.at;
      this.#deadlineMs = d.ms;
    }
    this.#schedule(now);
  }

  /**
   * The sweep expired the entry: true when the exchange timed out; false when its traffic (`activity`)
   * still moves within the idle timeout and the deadline has not passed (the entry is armed again).
   */
  expired(activity: () => number): boolean {
    this.#armed = false;
    if (this.#idle.ms === 0) return true;
    const now = performance.now();
    if (now >= this.#deadline || this.#idle.idle(now, activity())) return true;
    this.#schedule(now);
    return false;
  }

  disarm(): void {
    if (!this.#armed) return;
    this.#armed = false;
    this.#sweep.disarm(this.#x);
  }

  /** Watches the earlier of the deadline and the idle timeout's next look. */
  #schedule(now: number): void {
    let at = this.#deadline;
    let ms = this.#deadlineMs;
    if (this.#idle.ms > 0) {
      at = Math.min(at, this.#idle.next(now));
      ms = Math.min(ms, this.#idle.ms);
    }
    if (at === Number.POSITIVE_INFINITY) return;
    this.#sweep.arm(this.#x, at, ms);
    this.#armed = true;
  }
}
