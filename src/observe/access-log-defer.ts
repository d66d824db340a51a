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
// Copies are pooled (a few dozen stores per request, no allocation once the pool has grown to a
// batch). A new young copy per request instead (no write barriers into old objects) measured no
// fewer instructions per line under callgrind and allocated ~235 B more per request
// (bench/log-line-instr.ts, bench/log-alloc.ts). Each copy is its own line's entry.
import type { Endpoint } from '../snapshot/types.ts';
import type { AccessEntry, LoggedExchange, LoggedOutcome } from './access-log-entry.ts';

/** A finished exchange's facts, as the access log reads them, and how it ended: the entry its line is made from. */
export class ExchangeCopy implements LoggedExchange, AccessEntry {
  listener = '';
  from = 0;
  method = '';
  authority = '';
  target = '';
  raw: readonly string[] = [];
  clientAddress: string | undefined = undefined;
  grpcType: string | undefined = undefined;
  replyGrpc = false;
  ingress = '';
  clusterName = '';
  endpoint: Endpoint | undefined = undefined;
  decided = '';
  requestId = '';
  startedAt = 0;
  bytesIn = 0;
  bytesOut = 0;
  firstByteAt = 0;
  upstreamGrpcStatus: string | undefined = undefined;
  policyFlag = '';
  split = -1;
  span: { readonly traceId: string } | undefined = undefined;
  status = 0;
  outcome: LoggedOutcome = undefined;
  endedAt = 0;

  /** Takes `x`'s facts (absent counts as the line reads them: 0, '', -1). */
  take(x: LoggedExchange, status: number, outcome: LoggedOutcome, endedAt: number): void {
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

/** What a made line's copy holds instead of its request's header list (no array per line). */
const NO_HEADERS: readonly string[] = [];
/** Lines are made at the end of the turn in which this many have gathered. */
export const BATCH = 64;
/** Lines held longer than this many in one turn are made at once (what waits stays bounded). */
const MOST_PENDING = 1024;

/** Finished exchanges' copies, handed to `write` in order at the end of a turn once a batch has gathered, or when flushed. */
export class LineBatch {
  readonly #write: (c: ExchangeCopy) => void;
  readonly #wake: () => boolean;
  readonly #made: () => void;
  readonly #pool: ExchangeCopy[] = [];
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
    let c = this.#pool[this.#pending];
    if (c === undefined) this.#pool.push((c = new ExchangeCopy()));
    c.take(x, status, outcome, endedAt);
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
    const n = this.#pending;
    if (n === 0) return;
    this.#pending = 0;
    this.batches++;
    for (let i = 0; i < n; i++) {
      const c = this.#pool[i]!;
      this.#write(c);
      // Nothing the pool holds keeps a request's header list, span or outcome alive past its line.
      c.raw = NO_HEADERS;
      c.span = undefined;
      c.endpoint = undefined;
      c.outcome = undefined;
    }
    this.#made();
  }
}
