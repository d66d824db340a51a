// How a ConfigDir gets its files read and parsed: in its own thread (InlineParser: `sluice
// validate`, benchmarks), in a worker thread (WorkerParser, parse-pool.ts), or by size and by
// whether this thread read the file before (BySizeParser, KnownHereParser: `sluice serve`, whose
// event loop is also the data plane's).
import type { DocReuse } from './doc-reuse.ts';
import { readConfigFile, type ConfigLimits, type FileRead } from './read-file.ts';

/** One file to read: its path relative to the config root (as reported) and absolute, and its size when queued. */
export interface ParseJob {
  readonly rel: string;
  readonly abs: string;
  readonly size: number;
  /** the reading of the file whose documents' entries the caller holds (doc-cache.ts): those are not parsed again */
  readonly held?: number;
  /** the reading may be refused as a write in progress (doc-walk.ts) */
  readonly settle?: boolean;
}

export interface FileParser {
  /**
   * Reads and parses `jobs`, calling `each` once per job (in any order, a few at a time between
   * turns of the event loop); resolves when every job has had its call.
   */
  parse(jobs: readonly ParseJob[], each: (job: ParseJob, read: FileRead) => void): Promise<void>;
  /** Releases what the parser holds (a worker thread); parse() may start it again. */
  close(): Promise<void>;
  /** Drops what the parser remembers of a file that is gone (doc-reuse.ts). */
  forget?(rel: string): void;
}

// Files, or bytes of them, parsed between yields to the event loop: a small file parses in about
// 0.1 ms, 64 KiB of YAML in a few milliseconds.
const YIELD_FILES = 8;
const YIELD_BYTES = 64 * 1024;

export class InlineParser implements FileParser {
  readonly #limits: ConfigLimits;
  /** set: files are read document by document, and unchanged documents not parsed again */
  readonly #reuse: DocReuse | undefined;
  #running: Promise<void> = Promise.resolve();

  constructor(limits: ConfigLimits, reuse?: DocReuse) {
    this.#limits = limits;
    this.#reuse = reuse;
  }

  forget(rel: string): void {
    this.#reuse?.forget(rel);
  }

  /**
   * One parse at a time: ConfigDir sends a batch as its walk finds files, and batches parsed side by
   * side (each yielding to the others between pieces) would each hold a file's bytes and a partly
   * parsed file at once; one after the other, a reading's buffer is reused by the next (scratch-read.ts).
   */
  parse(jobs: readonly ParseJob[], each: (job: ParseJob, read: FileRead) => void): Promise<void> {
    const run = this.#running.then(() => this.#parse(jobs, each));
    this.#running = run.catch(() => {});
    return run;
  }

  async #parse(jobs: readonly ParseJob[], each: (job: ParseJob, read: FileRead) => void): Promise<void> {
    let files = 0;
    let bytes = 0;
    for (const job of jobs) {
      if (files >= YIELD_FILES || bytes >= YIELD_BYTES) {
        await new Promise<void>((r) => setImmediate(r));
        files = bytes = 0;
      }
      // A large file read document by document lets the event loop run between pieces of it.
      each(job, this.#reuse === undefined ? readConfigFile(job.abs, job.rel, job.size, this.#limits) : await this.#reuse.readYielding(job, this.#limits, YIELD_BYTES));
      files++;
      bytes += job.size;
    }
  }

  async close(): Promise<void> {}
}

/**
 * Small files to one parser, large ones to another: `sluice serve` parses files under `threshold`
 * bytes in its own thread (a few milliseconds at most each, with no thread hop, no copy of the
 * result, and no worker to start: an edit of one small file is served as fast as before, and a
 * cold start of 10,000 small files as fast as before), and larger ones in the worker.
 */
export class BySizeParser implements FileParser {
  constructor(
    readonly small: FileParser,
    readonly large: FileParser,
    readonly threshold: number,
  ) {}

  async parse(jobs: readonly ParseJob[], each: (job: ParseJob, read: FileRead) => void): Promise<void> {
    const large = jobs.filter((j) => j.size >= this.threshold);
    const small = large.length === 0 ? jobs : jobs.filter((j) => j.size < this.threshold);
    await Promise.all([this.large.parse(large, each), this.small.parse(small, each)]);
  }

  async close(): Promise<void> {
    await Promise.all([this.small.close(), this.large.close()]);
  }

  forget(rel: string): void {
    this.small.forget?.(rel);
    this.large.forget?.(rel);
  }
}

/**
 * The first read by one parser, the later ones by another: `sluice serve` reads large files in its
 * own thread at start (nothing is served yet, and the worker's copy of every parsed value into
 * this thread, as much CPU again as the parse, is saved), then hands what it remembers of them to
 * the worker (FileSource), which reads every later version.
 */
export class FirstReadParser implements FileParser {
  #first: FileParser | undefined;

  constructor(
    first: FileParser,
    readonly then: FileParser,
  ) {
    this.#first = first;
  }

  parse(jobs: readonly ParseJob[], each: (job: ParseJob, read: FileRead) => void): Promise<void> {
    return (this.#first ?? this.then).parse(jobs, each);
  }

  /** Every parse from now on goes to `then`. */
  settle(): void {
    this.#first = undefined;
  }

  async close(): Promise<void> {
    await Promise.all([this.#first?.close(), this.then.close()]);
  }

  forget(rel: string): void {
    this.#first?.forget?.(rel);
    this.then.forget?.(rel);
  }
}

/**
 * The files this thread remembers (it read them before: doc-reuse.ts) are read here, document by
 * document, so that an edit parses only the documents it changed, with no hop to a worker and no
 * copy of the result back; any other file goes to `other` (the worker, whose reading of it is then
 * remembered here: WorkerParser's onRemembered). The worker is then needed only for a large file
 * first seen after start, and ends when idle (its 60-70 MiB given back).
 */
export class KnownHereParser implements FileParser {
  constructor(
    readonly reuse: DocReuse,
    readonly here: FileParser,
    readonly other: FileParser,
  ) {}

  async parse(jobs: readonly ParseJob[], each: (job: ParseJob, read: FileRead) => void): Promise<void> {
    const known = jobs.filter((j) => this.reuse.has(j.rel));
    const rest = known.length === jobs.length ? [] : jobs.filter((j) => !this.reuse.has(j.rel));
    await Promise.all([this.other.parse(rest, each), this.here.parse(known, each)]);
  }

  async close(): Promise<void> {
    await Promise.all([this.here.close(), this.other.close()]);
  }

  forget(rel: string): void {
    this.here.forget?.(rel);
    this.other.forget?.(rel);
  }
}
