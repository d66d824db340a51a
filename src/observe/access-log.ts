// The access log: one line per finished exchange (exchange.ts finish() calls record()): its facts
// copied at once into a young object (the exchange is reused after), the line made later with a batch of others
// (access-log-defer.ts), and written by the LineWriter. Lines are written
// straight into the writer's buffer (access-log-json-bytes.ts, access-log-template-bytes.ts) unless
// one has something to escape or encode, which is built as a string. Off: no AccessLog exists and the exchange pays one property read.
import fs from 'node:fs';
import { Counter, type Registry } from 'prom-client';
import { SluiceError } from '../errors.ts';
import { type AccessEntry, forgetLastHost, type LoggedExchange, type LoggedOutcome } from './access-log-entry.ts';
import type { AccessLogFilter } from './access-log-filter.ts';
import { compileFormat, type LineBytes, type LineFormat, lineBytesOf } from './access-log-format.ts';
import { LineWriter, type WriterOptions } from './access-log-writer.ts';
import { type ExchangeCopy, LineBatch } from './access-log-defer.ts';
import { forgetLastEndpoint } from './access-log-json-bytes.ts';

export interface AccessLogOptions extends Omit<WriterOptions, 'onDrop' | 'gather'> {
  /** which exchanges get a line (access-log-filter.ts); absent: all */
  readonly filter?: AccessLogFilter;
}

/** Lines of a batch mostly go to the endpoint the one before went to (each format keeps it for the next); past the batch none is kept. */
function forgetLastEndpoints(): void {
  forgetLastEndpoint();
  forgetLastHost();
}

/** The one entry record() fills for the filter (it reads it and keeps nothing): no object per request. */
type Scratch = { -readonly [K in keyof AccessEntry]: AccessEntry[K] };

export class AccessLog {
  readonly #format: LineFormat;
  /** the format's bytes road: lines straight into the writer's buffer */
  readonly #bytes: LineBytes | undefined;
  readonly #e: Scratch = { x: undefined as unknown as LoggedExchange, status: 0, outcome: undefined, endedAt: 0 };
  readonly #writer: LineWriter;
  readonly #batch: LineBatch;
  readonly #filter: AccessLogFilter | undefined;
  #drops: Counter | undefined;

  constructor(format: LineFormat, fd: number, ownsFd: boolean, o: AccessLogOptions = {}) {
    this.#format = format;
    this.#bytes = lineBytesOf(format);
    this.#filter = o.filter;
    this.#writer = new LineWriter(fd, ownsFd, { ...o, onDrop: () => this.#drops?.inc(), gather: () => this.#batch.flush() });
    this.#batch = new LineBatch(this.#line, () => this.#writer.wake(), forgetLastEndpoints);
  }

  /** Whether exchanges on `listener` may get a line (front ends count body bytes only then). */
  listens(listener: string): boolean {
    return this.#filter === undefined || this.#filter.listens(listener);
  }

  /** Counts dropped lines as `sluice_access_log_dropped_lines_total` on the gateway's registry. */
  countDropsIn(registry: Registry): void {
    this.#drops = new Counter({ name: 'sluice_access_log_dropped_lines_total', help: 'access log lines dropped because the log could not keep up', registers: [registry] });
  }

  /** `endedAt`: performance.now() at the exchange's end (the exchange passes the one it read). The line is made with its batch (access-log-defer.ts). */
  record(x: LoggedExchange, status: number, outcome: LoggedOutcome, endedAt = performance.now()): void {
    if (this.#filter !== undefined) {
      const e = this.#e;
      e.x = x;
      e.status = status;
      e.outcome = outcome;
      e.endedAt = endedAt;
      try {
        if (!this.#filter.keeps(e)) return;
      } catch {
        return;
      }
    }
    this.#batch.add(x, status, outcome, endedAt);
  }

  /** Lines recorded and not made yet (they are once a batch gathers, or at the writer's next flush). */
  get pending(): number {
    return this.#batch.pending;
  }

  /** One finished exchange's line, from its copy (its own entry). */
  readonly #line = (c: ExchangeCopy): void => {
    let line: string;
    try {
      if (this.#bytes?.(this.#writer, c)) return;
      line = this.#format(c);
    } catch {
      // A line that cannot be formatted is lost, never the request's finish.
      return;
    }
    this.#writer.push(line);
  };

  get dropped(): number {
    return this.#writer.dropped;
  }

  flush(): void {
    this.#batch.flush();
    this.#writer.flush();
  }

  close(): Promise<void> {
    this.#batch.flush();
    return this.#writer.close();
  }
}

/**
 * From `--access-log PATH|-|off` and `--access-log-format json|TEMPLATE`: undefined when off.
 * The file is opened for appending at start, so a path that cannot be written is a flag error.
 */
export function openAccessLog(where: string | undefined, format: string | undefined, o: AccessLogOptions = {}): AccessLog | undefined {
  const compiled = compileFormat(format ?? 'json');
  if (where === undefined || where === 'off' || where === '') return undefined;
  if (where === '-') return new AccessLog(compiled, 1, false, o);
  let fd: number;
  try {
    fd = fs.openSync(where, 'a');
  } catch (err) {
    throw new SluiceError('SLUICE_ERR_BAD_FLAG', `--access-log: cannot open "${where}" for appending: ${(err as Error).message}`);
  }
  return new AccessLog(compiled, fd, true, o);
}
