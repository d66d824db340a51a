// What one of bench/scale-xds-clients.ts's ADS streams holds, so that it counts itself synced by
// what it has (every name it subscribed to received, every response ACKed) rather than by a quiet
// spell: a server still sending a big answer in parts can be silent for longer than any fixed wait,
// and an edit measured then would queue behind the rest. It also times an edit: from `watch()` to
// the ACK of the last response that carried one of the changed names.
import { TypeUrl } from '../src/xds/protos.ts';
import type { Skimmed } from './scale-xds-skim.ts';

/** Types whose state-of-the-world responses hold every resource. */
const WHOLE: ReadonlySet<string> = new Set([TypeUrl.listener, TypeUrl.cluster]);

/** Names a stream must hold, by type URL. */
export type Wanted = ReadonlyMap<string, ReadonlySet<string>>;

interface Watch {
  /** changed names not yet received, by type URL */
  readonly waiting: Map<string, Set<string>>;
  /** nonces of responses that carried a changed name, until ACKed */
  readonly carrying: Set<string>;
  lastAck?: number;
  bytes: number;
  /** resource bytes by type URL */
  readonly byType: Record<string, number>;
  responses: number;
}

export class Holdings {
  readonly #wanted: Wanted;
  /**
   * delta: responses add and remove names; state of the world: a listener or cluster response is
   * its type's whole state, a route or endpoint one adds or replaces the resources it carries
   */
  readonly #delta: boolean;
  readonly #held = new Map<string, Set<string>>();
  readonly #unacked = new Set<string>();
  /** wanted names not held, by type URL (kept as responses come: polled often, over 100 streams) */
  readonly #missing = new Map<string, number>();
  #watch: Watch | undefined;
  /** responses and resource bytes received in all */
  responses = 0;
  bytes = 0;

  constructor(wanted: Wanted, delta: boolean) {
    this.#wanted = wanted;
    this.#delta = delta;
    for (const [type, names] of wanted) this.#missing.set(type, names.size);
  }

  received(r: Skimmed): void {
    this.responses++;
    this.bytes += r.bytes;
    const wanted = this.#wanted.get(r.type_url);
    let held = this.#held.get(r.type_url);
    const whole = !this.#delta && WHOLE.has(r.type_url);
    if (!held || whole) this.#held.set(r.type_url, (held = new Set()));
    let missing = this.#missing.get(r.type_url) ?? 0;
    if (whole && wanted) missing = wanted.size;
    for (const n of r.names) {
      if (!held.has(n) && wanted?.has(n)) missing--;
      held.add(n);
    }
    for (const n of r.removed) if (held.delete(n) && wanted?.has(n)) missing++;
    this.#missing.set(r.type_url, missing);
    this.#unacked.add(r.nonce);
    const w = this.#watch;
    if (!w) return;
    w.responses++;
    w.bytes += r.bytes;
    w.byType[r.type_url] = (w.byType[r.type_url] ?? 0) + r.bytes;
    const waiting = w.waiting.get(r.type_url);
    if (!waiting) return;
    let carries = false;
    for (const n of r.names) carries = waiting.delete(n) || carries;
    if (carries) w.carrying.add(r.nonce);
  }

  /** The stream ACKed (or NACKed) the response of `nonce` at `at`. */
  acked(nonce: string, at: number): void {
    this.#unacked.delete(nonce);
    const w = this.#watch;
    if (w?.carrying.delete(nonce)) w.lastAck = at;
  }

  /** How many wanted names it does not hold. */
  missing(): number {
    let n = 0;
    for (const m of this.#missing.values()) n += m;
    return n;
  }

  /** Every wanted name held and every response ACKed. */
  synced(): boolean {
    return this.#unacked.size === 0 && this.missing() === 0;
  }

  /** Starts timing an edit that changes `changed` (names by type URL). */
  watch(changed: ReadonlyMap<string, readonly string[]>): void {
    this.#watch = { waiting: new Map([...changed].map(([t, names]) => [t, new Set(names)])), carrying: new Set(), bytes: 0, byType: {}, responses: 0 };
  }

  /** When every changed name came and the responses that carried them were ACKed: that last ACK's time; bytes and responses since watch(). */
  changeAcked(): { at: number; bytes: number; byType: Record<string, number>; responses: number } | undefined {
    const w = this.#watch;
    if (!w || w.carrying.size > 0 || w.lastAck === undefined) return undefined;
    for (const names of w.waiting.values()) if (names.size > 0) return undefined;
    return { at: w.lastAck, bytes: w.bytes, byType: w.byType, responses: w.responses };
  }
}
