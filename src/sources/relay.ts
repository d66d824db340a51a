// A worker's side of the relay (`serve --workers N`): a Source that rebuilds the states the primary's
// source pushed from the primary's RelayState messages, so each worker's Pipeline translates the
// same states in the same order as the primary (the translator is pure and deterministic: every
// worker serves the primary's snapshot). See relay-log.ts for the primary's side.
import type { Sourced } from '../api/types.ts';
import { identity } from './relay-log.ts';
import { isRelayState, type RelayHello, type RelayServed, type RelayState } from './relay-protocol.ts';
import type { Source, SourceState } from './types.ts';

/** The IPC channel to the primary (process.send / process.on('message') in a cluster worker). */
export interface RelayChannel {
  send(message: RelayHello | RelayServed): void;
  /** returns a function that removes the listener */
  onMessage(listener: (message: unknown) => void): () => void;
}

export function processChannel(): RelayChannel {
  return {
    send: (m) => void process.send?.(m),
    onMessage: (listener) => {
      process.on('message', listener);
      return () => void process.off('message', listener);
    },
  };
}

/** called after each relayed state was applied: its sequence number and the primary's hash for it */
export type AppliedListener = (seq: number, primaryHash: string) => void;

export class RelayedSource implements Source {
  readonly #channel: RelayChannel;
  readonly #warn: (msg: string) => void;
  /** the resources of the state pushed last, by `Kind namespace/name` */
  #resources = new Map<string, Sourced>();
  #last: SourceState | undefined;
  #seq = 0;
  #primaryHash = '';
  #stopListening: (() => void) | undefined;
  #onApplied: AppliedListener | undefined;

  constructor(channel: RelayChannel, warn: (msg: string) => void) {
    this.#channel = channel;
    this.#warn = warn;
  }

  /** the sequence number of the state served (0 before the first) */
  get seq(): number {
    return this.#seq;
  }

  /** Resolves once the first state from the primary has been pushed. */
  start(push: (state: SourceState) => void): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#stopListening = this.#channel.onMessage((m) => {
        if (!isRelayState(m) || !this.#apply(m, push)) return;
        resolve();
        this.#onApplied?.(this.#seq, this.#primaryHash);
      });
      // The primary sends nothing before this: then the whole state first, each change after it.
      this.#channel.send({ type: 'sluice:relay-hello' });
    });
  }

  /** Tells `listener` of the state served now (if any) and of every state applied from now on. */
  onApplied(listener: AppliedListener): void {
    this.#onApplied = listener;
    if (this.#seq > 0) listener(this.#seq, this.#primaryHash);
  }

  async stop(): Promise<void> {
    this.#stopListening?.();
    this.#stopListening = undefined;
  }

  /** Pushes the state `m` describes; false when `m` does not follow the state served (ignored). */
  #apply(m: RelayState, push: (state: SourceState) => void): boolean {
    if (m.seq <= this.#seq) return false;
    let state: SourceState;
    if (m.whole) {
      // Objects the primary keeps by the last-good rule: present once, so the store keeps them when the next state drops them.
      if (m.kept && m.kept.length > 0) push(Object.freeze({ resources: [...m.whole, ...m.kept], rejections: [] }));
      this.#resources = new Map(m.whole.map((s) => [identity(s), s]));
      state = Object.freeze({ resources: m.whole, rejections: m.rejections });
    } else if (m.seq === this.#seq + 1) {
      const upserted = m.upserted ?? [];
      const removed = m.removed ?? [];
      for (const s of removed) this.#resources.delete(identity(s));
      for (const s of upserted) this.#resources.set(identity(s), s);
      const resources = this.#resources;
      state = Object.freeze({
        // Read only by a store that did not apply the state before (never, for a pipeline fed by this source alone).
        get resources(): readonly Sourced[] {
          return [...resources.values()];
        },
        rejections: m.rejections,
        changes: Object.freeze({ since: this.#last ? new WeakRef(this.#last) : null, upserted, removed }),
      });
    } else {
      this.#warn(`relayed configuration ${m.seq} does not follow ${this.#seq}; ignored`);
      return false;
    }
    this.#last = state;
    this.#seq = m.seq;
    this.#primaryHash = m.hash;
    push(state);
    return true;
  }
}
