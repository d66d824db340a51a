// The messages between `sluice serve --workers N`'s primary (the control plane) and its data-plane
// workers, over node:cluster's IPC channel with structured clone (serialization: 'advanced', so
// Dates and Buffers in resources arrive as they were sent). Only these processes talk on it.
import type { Rejection, Sourced } from '../api/types.ts';

/** primary -> worker: the source's next state, as the changes from the one relayed before */
export interface RelayState {
  readonly type: 'sluice:relay-state';
  /** increases by one per state the primary's source pushed */
  readonly seq: number;
  /** the whole state: a worker's first message, or a state the relay could not express as changes */
  readonly whole?: readonly Sourced[];
  readonly upserted?: readonly Sourced[];
  /** the previous version of each resource that is gone */
  readonly removed?: readonly Sourced[];
  /**
   * with `whole`: the objects the primary's store keeps while their documents are rejected (its
   * last-good rule); a worker pushes them with `whole` first, then `whole` alone, so its store keeps them too
   */
  readonly kept?: readonly Sourced[];
  readonly rejections: readonly Rejection[];
  /** the primary's snapshot hash once it applied this state ('' while it has none) */
  readonly hash: string;
}

/** worker -> primary: send me the current state (a worker asks once, when its source starts) */
export interface RelayHello {
  readonly type: 'sluice:relay-hello';
}

/** worker -> primary: the relayed state this worker serves now, and the snapshot hash it computed */
export interface RelayServed {
  readonly type: 'sluice:relay-served';
  readonly seq: number;
  readonly hash: string;
}

export type RelayMessage = RelayState | RelayHello | RelayServed;

function typed(m: unknown): m is { type: unknown } {
  return typeof m === 'object' && m !== null && 'type' in m;
}

export const isRelayState = (m: unknown): m is RelayState => typed(m) && m.type === 'sluice:relay-state';
export const isRelayHello = (m: unknown): m is RelayHello => typed(m) && m.type === 'sluice:relay-hello';
export const isRelayServed = (m: unknown): m is RelayServed =>
  typed(m) && m.type === 'sluice:relay-served' && typeof (m as RelayServed).seq === 'number' && typeof (m as RelayServed).hash === 'string';
