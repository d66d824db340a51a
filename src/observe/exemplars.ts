// Trace exemplars of one histogram series (OpenMetrics): per bucket, the last sampled trace whose
// observation fell in it, with its value and when. Kept only with tracing on, written only for
// sampled spans, so a request without one pays nothing.

export interface Exemplar {
  readonly traceId: string;
  /** the observed value (seconds) */
  readonly value: number;
  /** wall-clock seconds since the epoch */
  readonly timestamp: number;
}

export class BucketExemplars {
  readonly #bounds: readonly number[];
  /** one per bucket, the last for +Inf */
  readonly #slots: Array<Exemplar | undefined>;

  constructor(bounds: readonly number[]) {
    this.#bounds = bounds;
    this.#slots = new Array<Exemplar | undefined>(bounds.length + 1).fill(undefined);
  }

  record(value: number, traceId: string, nowMs = Date.now()): void {
    let i = 0;
    while (i < this.#bounds.length && value > this.#bounds[i]!) i++;
    this.#slots[i] = { traceId, value, timestamp: nowMs / 1000 };
  }

  /** The exemplar of the bucket whose upper bound is `le` (`+Inf` for the last). */
  at(le: number): Exemplar | undefined {
    const i = le === Infinity ? this.#bounds.length : this.#bounds.indexOf(le);
    return i < 0 ? undefined : this.#slots[i];
  }
}

/** The trace id an observation carries as its exemplar: a sampled span's (its trace is exported), else none. */
export function exemplarTrace(span: { readonly traceId: string; readonly sampled: boolean } | undefined): string | undefined {
  return span?.sampled ? span.traceId : undefined;
}
