// Access log lines made in batches, not where each exchange finishes. A line made between one
// request's parser and the next one's socket writes cost ~2 µs of CPU per request in a busy
// gateway, four times what the same code costs in a loop: the line's code and tables pushed the
// request path's out of the caches, and the request path pushed them out in turn
// (bench/log-paired.ts). So finish() only copies the facts a line needs, and lines are made together,
// with their code hot, at the end of the turn in which a batch has gathered, or when the writer is
// about to write (its flush interval, close). Not at every turn's end: a setImmediate per turn (an
// Immediate, the loop's idle handle started and stopped, processImmediate) cost a lightly loaded
// gateway, one or two requests a turn, about as much per request as making the line. The copy is
// taken at once because a front end reuses its exchange object for the connection's next request.
// Each copy is a new object, made in one go by its constructor: a young object dies young for
// nearly nothing, where a pooled copy lived in the old generation and each of its ~25 stores of a
// string or object was a write barrier that put a slot in the remembered set for the next scavenge.
// Copies wait in a list through their own `next` (a store into a young object): no array holds them.
import type { Endpoint } from '../snapshot/types.ts';
import type { AccessEntry, LoggedExchange, LoggedOutcome } from './access-log-entry.ts';

/** A finished exchange's facts, as the access log reads them, and how it ended: the entry its line is made from. */
export class ExchangeCopy implements LoggedExchange, AccessEntry {
  readonly listener: string;
  readonly from: number;
  readonly method: string;
  readonly authority: string;
  readonly target: string;
  readonly raw: readonly string[];
  readonly clientAddress: string | undefined;
  readonly grpcType: string | undefined;
  readonly replyGrpc: boolean;
  readonly ingress: string;
  readonly clusterName: string;
  readonly endpoint: Endpoint | undefined;
  readonly decided: string;
  readonly requestId: string;
  readonly startedAt: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly firstByteAt: number;
  readonly upstreamGrpcStatus: string | undefined;
  readonly policyFlag: string;
  readonly split: number;
  readonly span: { readonly traceId: string } | undefined;
  readonly status: number;
  readonly outcome: LoggedOutcome;
  readonly endedAt: number;
  /** the next copy waiting in the batch */
  next: ExchangeCopy | undefined = undefined;

  /** Takes `x`'s facts (absent counts as the line reads them: 0, '', -1). */
  constructor(x: LoggedExchange, status: number, outcome: LoggedOutcome, endedAt: number) {
    this.listener = x.listener;
    this.from = x.from;
    this.method = x.method;
    this.authority = x.authority;
    this.target = x.target;
    // The request's header list is made per request and never changed after: kept, not copied.
    this.raw = x.raw;
    this.clientAddress = x.clientAddress;
    this.grpcType = x.grpcType;
    this.replyGrpc = x.replyGrpc;
    this.ingress = x.ingress;
    this.clusterName = x.clusterName;
    this.endpoint = x.endpoint;
    this.decided = x.decided;
    this.requestId = x.requestId;
    this.startedAt = x.startedAt;
    this.bytesIn = x.bytesIn ?? 0;
    this.bytesOut = x.bytesOut ?? 0;
    this.firstByteAt = x.firstByteAt ?? 0;
    this.upstreamGrpcStatus = x.upstreamGrpcStatus;
    this.policyFlag = x.policyFlag ?? '';
    this.split = x.split ?? -1;
    this.span = x.span;
    this.status = status;
    this.outcome = outcome;
    this.endedAt = endedAt;
  }

  /** The copy is its own line's entry (formats read `e.x`): no entry object filled per line. */
  get x(): LoggedExchange {
    return this;
  }
}

/** Lines are made at the end of the turn in which this many have gathered. */
export const BATCH = 64;
/** Lines held longer than this many in one turn are made at once (what waits stays bounded). */
const MOST_PENDING = 1024;

/** Finished exchanges' copies, handed to `write` in order at the end of a turn once a batch has gathered, or when flushed. */
export class LineBatch {
  readonly #write: (c: ExchangeCopy) => void;
  readonly #wake: () => boolean;
  readonly #made: () => void;
  #first: ExchangeCopy | undefined = undefined;
  #last: ExchangeCopy | undefined = undefined;
  #pending = 0;
  #armed = false;
  /** batches of lines made (a test counts: one per batch, not per line or per turn) */
  batches = 0;

  /**
   * `wake`: told when a copy arrives at an empty batch, so that a flush comes (the writer's interval); false: none will (closed), make lines at once.
   * `made`: told after each batch's lines are made.
   */
  constructor(write: (c: ExchangeCopy) => void, wake: () => boolean, made: () => void = () => {}) {
    this.#write = write;
    this.#wake = wake;
    this.#made = made;
  }

  readonly #onTurnEnd = (): void => {
    this.#armed = false;
    this.flush();
  };

  get pending(): number {
    return this.#pending;
  }

  add(x: LoggedExchange, status: number, outcome: LoggedOutcome, endedAt: number): void {
    if (this.#pending === MOST_PENDING) this.flush();
    const c = new ExchangeCopy(x, status, outcome, endedAt);
    if (this.#last === undefined) this.#first = c;
    else this.#last.next = c;
    this.#last = c;
    const n = ++this.#pending;
    if (n === 1) {
      if (!this.#wake()) this.flush();
    } else if (n === BATCH && !this.#armed) {
      this.#armed = true;
      setImmediate(this.#onTurnEnd);
    }
  }

  /** Makes every pending line now. */
  flush(): void {
    let c = this.#first;
    if (c === undefined) return;
    // Taken off first: a line's copy is garbage once made, and nothing here keeps it.
    this.#first = this.#last = undefined;
    this.#pending = 0;
    this.batches++;
    for (; c !== undefined; c = c.next) this.#write(c);
    this.#made();
  }
}
