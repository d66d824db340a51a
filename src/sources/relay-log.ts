// The primary's side of the relay (`serve --workers N`): turns each state its source pushes into a
// RelayState message of changes, and keeps what a worker that starts later (or restarts after a
// crash) needs to reach the same configuration as the primary.
//
// Why not just the current state: the store and the translator have memory. A rejected document
// keeps its object's last good version (store.ts), and a new version of an ingress that waits for
// endpoints keeps the previous one served (translate/state.ts). The first is carried along: the log
// tracks the objects kept that way and sends them with the base (RelayState.kept). The second needs
// the history itself: the log is a base state that needs none (no version held back) plus every
// message since, cut back to one base whenever such a state comes (almost every push), or, so that
// memory stays bounded while a version waits for long, after MAX_TAIL messages (a worker started
// then may serve the waiting version early; its hash check warns).
import { keyOf, storeKind, type Origin, type Rejection, type Sourced } from '../api/types.ts';
import type { RelayState } from './relay-protocol.ts';
import type { SourceState } from './types.ts';

type Body = Pick<RelayState, 'whole' | 'upserted' | 'removed'>;

const MAX_TAIL = 1000;

export class StateRelayLog {
  #seq = 0;
  /** the last relayed state's resources by `Kind namespace/name`; undefined after one with duplicates */
  #last: Map<string, Sourced> | undefined = new Map();
  #lastState: SourceState | undefined;
  /** objects the store keeps by the last-good rule: gone from the source while a rejection names them */
  readonly #kept = new Map<string, Sourced>();
  #base: { readonly state: SourceState; readonly kept: readonly Sourced[]; readonly seq: number; readonly hash: string } | undefined;
  #tail: RelayState[] = [];

  /** the sequence number of the last state published (0 before the first) */
  get seq(): number {
    return this.#seq;
  }

  /**
   * Records the source's next state, with the primary's snapshot hash after it. `standalone`: the
   * primary's translation of it holds no version back (see the top of this file).
   * Returns the message to send to every running worker.
   */
  publish(state: SourceState, hash: string, standalone: boolean): RelayState {
    const body = this.#body(state);
    this.#keep(state.rejections, body);
    this.#lastState = state;
    const message: RelayState = { type: 'sluice:relay-state', seq: ++this.#seq, ...body, rejections: state.rejections, hash };
    if (standalone || this.#tail.length >= MAX_TAIL) {
      this.#base = { state, kept: [...this.#kept.values()], seq: message.seq, hash };
      this.#tail = [];
    } else {
      this.#tail.push(message);
    }
    return message;
  }

  /** What a worker that starts now is sent, in order: the base whole, then the messages since. */
  replay(): RelayState[] {
    const b = this.#base;
    if (!b) return [...this.#tail];
    const kept = b.kept.length > 0 ? { kept: b.kept } : {};
    return [{ type: 'sluice:relay-state', seq: b.seq, whole: b.state.resources, ...kept, rejections: b.state.rejections, hash: b.hash }, ...this.#tail];
  }

  /** Follows the store's last-good rule (store.ts) for the objects it keeps. */
  #keep(rejections: readonly Rejection[], body: Body): void {
    const named = new Set<string>();
    for (const r of rejections) if (r.kind && r.name) named.add(`${storeKind(r)} ${keyOf({ namespace: r.namespace || undefined, name: r.name })}`);
    for (const s of body.upserted ?? body.whole ?? []) this.#kept.delete(identity(s));
    for (const s of body.removed ?? []) if (named.has(identity(s))) this.#kept.set(identity(s), s);
    for (const key of this.#kept.keys()) if (!named.has(key)) this.#kept.delete(key);
  }

  #body(state: SourceState): Body {
    const c = state.changes;
    const last = this.#last;
    if (c && last && (c.since === null ? this.#lastState === undefined : c.since.deref() === this.#lastState)) {
      for (const s of c.removed) last.delete(identity(s));
      for (const s of c.upserted) last.set(identity(s), s);
      return { upserted: c.upserted, removed: c.removed };
    }
    // A whole state (Kubernetes mode's): send only what differs from the last one.
    const next = new Map<string, Sourced>();
    let duplicates = false;
    for (const s of state.resources) {
      const key = identity(s);
      if (next.has(key)) duplicates = true;
      next.set(key, s);
    }
    // Which of two definitions wins is the store's rule: let each worker's store apply it.
    this.#last = duplicates ? undefined : next;
    if (duplicates || !last) return { whole: state.resources };
    const upserted: Sourced[] = [];
    const removed: Sourced[] = [];
    for (const [key, s] of next) if (!same(last.get(key), s)) upserted.push(s);
    for (const [key, s] of last) if (!next.has(key)) removed.push(s);
    return { upserted, removed };
  }
}

export function identity(s: Sourced): string {
  return `${storeKind(s.resource)} ${keyOf(s.resource.metadata)}`;
}

function same(a: Sourced | undefined, b: Sourced): boolean {
  return a === b || (a !== undefined && a.resource === b.resource && sameOrigin(a.origin, b.origin));
}

function sameOrigin(a: Origin, b: Origin): boolean {
  return a.file === b.file && a.doc === b.doc && a.item === b.item && a.cluster === b.cluster;
}
