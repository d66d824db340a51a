// Finished spans wait in a bounded queue and leave in batches, one export at a time: a batch as
// soon as `batchSize` wait, else whatever waits every `intervalMs` (OpenTelemetry's batch span
// processor defaults: 512, 5 s, a queue of 2048). A collector that is slow or down never holds
// requests or memory: past the bound spans are dropped and counted; a failed export loses its batch.
import type { FinishedSpan, SpanSink } from './trace-requests.ts';

/** Sends one encoded batch; rejects when the collector did not take it. */
export type SendBatch = (spans: readonly FinishedSpan[]) => Promise<void>;

export interface BatcherOptions {
  readonly maxQueue?: number;
  readonly batchSize?: number;
  readonly intervalMs?: number;
  /** told the number of spans dropped: the queue was full, or their export failed */
  readonly onDrop?: (n: number, why: 'queue_full' | 'export_failed', err?: unknown) => void;
}

export class SpanBatcher implements SpanSink {
  readonly #send: SendBatch;
  readonly #maxQueue: number;
  readonly #batchSize: number;
  readonly #onDrop: BatcherOptions['onDrop'];
  readonly #timer: NodeJS.Timeout;
  #queue: FinishedSpan[] = [];
  #sending: Promise<void> | undefined;
  #closed = false;
  exported = 0;
  dropped = 0;

  constructor(send: SendBatch, o: BatcherOptions = {}) {
    this.#send = send;
    this.#maxQueue = o.maxQueue ?? 2048;
    this.#batchSize = o.batchSize ?? 512;
    this.#onDrop = o.onDrop;
    this.#timer = setInterval(() => this.flush(), o.intervalMs ?? 5000);
    // Tracing never keeps the process alive.
    this.#timer.unref();
  }

  push(span: FinishedSpan): void {
    if (this.#closed || this.#queue.length >= this.#maxQueue) {
      this.#drop(1, 'queue_full');
      return;
    }
    this.#queue.push(span);
    if (this.#queue.length >= this.#batchSize) this.flush();
  }

  /** Starts exporting one batch, unless one is under way (the next goes when it ends). */
  flush(): void {
    if (this.#sending !== undefined || this.#queue.length === 0) return;
    const batch = this.#queue.length <= this.#batchSize ? this.#queue : this.#queue.slice(0, this.#batchSize);
    this.#queue = batch === this.#queue ? [] : this.#queue.slice(this.#batchSize);
    this.#sending = this.#exportOne(batch).then(() => {
      this.#sending = undefined;
      // A full batch is waiting already: no need to wait for the timer.
      if (this.#queue.length >= this.#batchSize) this.flush();
    });
  }

  async #exportOne(batch: readonly FinishedSpan[]): Promise<void> {
    try {
      await this.#send(batch);
      this.exported += batch.length;
    } catch (err) {
      this.#drop(batch.length, 'export_failed', err);
    }
  }

  #drop(n: number, why: 'queue_full' | 'export_failed', err?: unknown): void {
    this.dropped += n;
    this.#onDrop?.(n, why, err);
  }

  /** Exports everything still queued (batch by batch) and stops; later spans are dropped. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    for (;;) {
      await this.#sending;
      if (this.#queue.length === 0) return;
      this.flush();
    }
  }
}
