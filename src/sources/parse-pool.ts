// WorkerParser: config files read, parsed and validated in a worker thread (parse-worker.ts), so
// that a large file never stalls the event loop the data plane runs on (FileSource sends it only
// the large files: see BySizeParser). One worker: the machine's other cores serve traffic. The
// results come back in pieces, one message per turn of the event loop (parse-messages.ts), and the
// worker is started on first use and unreferenced while idle, so it never keeps a process alive.
// It keeps nothing between files (what it remembered of a file goes back with the reading:
// onRemembered), so once idle for `idleMs` it is ended, and its heap (60-70 MiB of RSS with its
// own copy of the modules) given back; the next parse starts another.
//
// If the worker dies (a bug, or out of memory on a pathological file), the files it had not
// answered for are reported as failed (so they keep what they held) and tried again on the next
// look; the next parse starts a new worker. A worker that dies before its first answer cannot run
// here at all: files are then parsed in this thread, as before there were workers.
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { DocReuse, type Remembered } from './doc-reuse.ts';
import { InlineParser, type FileParser, type ParseJob } from './file-parser.ts';
import type { FromWorker, PieceEnd, ToWorker, WorkerInit } from './parse-messages.ts';
import type { ConfigLimits, FileRead } from './read-file.ts';
import type { DocEntry, ParsedFile } from './yaml-docs.ts';

interface Pending {
  readonly jobs: readonly ParseJob[];
  readonly each: (job: ParseJob, read: FileRead) => void;
  readonly resolve: () => void;
  /** a consumer's `each` threw: parse() rejects with it, as InlineParser's does */
  readonly reject: (err: unknown) => void;
  /** entries received so far of files not finished, by job index */
  readonly partial: Map<number, DocEntry[]>;
  readonly answered: Set<number>;
}

const BOOT = new URL('./parse-worker-boot.mjs', import.meta.url);
// Idle this long, the worker is ended: a burst of new large files shares one worker, and a gateway
// that takes in edits (read in its own thread: KnownHereParser) does not keep one for nothing.
const IDLE_MS = 10_000;

export interface WorkerParserOptions {
  /** the worker's heap bounds (a worker over them dies alone; see above) */
  readonly resourceLimits?: ResourceLimits;
  /** what the worker remembered of a file it read (doc-reuse.ts), handed over before the file's reading is given out */
  readonly onRemembered?: (rel: string, file: Remembered) => void;
  /** the worker is ended after this long without a parse (default IDLE_MS) */
  readonly idleMs?: number;
}

let startedInProcess = 0;

export class WorkerParser implements FileParser {
  readonly #limits: ConfigLimits;
  readonly #pending = new Map<number, Pending>();
  #worker: Worker | undefined;
  #nextId = 1;
  #starts = 0;
  /** set once a worker has answered: workers can run here */
  #answered = false;
  /** set when the first worker died before answering */
  #inline: InlineParser | undefined;
  readonly #resourceLimits: ResourceLimits | undefined;
  readonly #onRemembered: ((rel: string, file: Remembered) => void) | undefined;
  readonly #idleMs: number;
  #idleTimer: NodeJS.Timeout | undefined;

  constructor(limits: ConfigLimits, options: WorkerParserOptions = {}) {
    this.#limits = limits;
    this.#resourceLimits = options.resourceLimits;
    this.#onRemembered = options.onRemembered;
    this.#idleMs = options.idleMs ?? IDLE_MS;
  }

  /** How many workers were started (tests count them). */
  get starts(): number {
    return this.#starts;
  }

  /** How many parse worker threads every parser of this process started (a gateway's own parser is not reachable from outside). */
  static get startedInProcess(): number {
    return startedInProcess;
  }

  /** Whether a worker thread is running now. */
  get running(): boolean {
    return this.#worker !== undefined;
  }

  parse(jobs: readonly ParseJob[], each: (job: ParseJob, read: FileRead) => void): Promise<void> {
    if (jobs.length === 0) return Promise.resolve();
    if (this.#inline !== undefined) return this.#inline.parse(jobs, each);
    clearTimeout(this.#idleTimer);
    const worker = this.#start();
    const id = this.#nextId++;
    return new Promise<void>((resolve, reject) => {
      this.#pending.set(id, { jobs, each, resolve, reject, partial: new Map(), answered: new Set() });
      worker.ref();
      worker.postMessage({ type: 'parse', id, jobs } satisfies ToWorker);
    });
  }

  forget(rel: string): void {
    this.#inline?.forget(rel);
    this.#worker?.postMessage({ type: 'forget', rel } satisfies ToWorker);
  }

  /** Each worker (or inline fallback) gives out ids above every earlier one's. */
  #nextFirstId(): number {
    return ++this.#starts * 2 ** 32 + 1;
  }

  async close(): Promise<void> {
    clearTimeout(this.#idleTimer);
    const worker = this.#worker;
    this.#worker = undefined;
    this.#failAll('the parser was closed');
    await worker?.terminate();
  }

  #start(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    startedInProcess++;
    const worker = new Worker(BOOT, { workerData: { limits: this.#limits, firstId: this.#nextFirstId() } satisfies WorkerInit, ...(this.#resourceLimits !== undefined && { resourceLimits: this.#resourceLimits }) });
    worker.on('message', (m: FromWorker) => this.#onMessage(worker, m));
    worker.on('error', (err) => this.#died(worker, err.message));
    worker.on('exit', (code) => this.#died(worker, `exited with code ${code}`));
    this.#worker = worker;
    return worker;
  }

  #onMessage(worker: Worker, m: FromWorker): void {
    this.#answered = true;
    const p = this.#pending.get(m.id);
    if (p !== undefined) {
      try {
        this.#take(p, m);
        if (m.done) this.#finish(m.id, p);
      } catch (err) {
        // Thrown here, it would end the process (an event listener's error); it ends this parse.
        this.#finish(m.id, p, err);
      }
    }
    // The next message waits for a turn of the event loop, so traffic is served in between.
    setImmediate(() => {
      if (this.#worker === worker) worker.postMessage({ type: 'ack' } satisfies ToWorker);
    });
  }

  #take(p: Pending, m: FromWorker): void {
    for (const piece of m.pieces) {
      let entries = p.partial.get(piece.index);
      if (entries === undefined) p.partial.set(piece.index, (entries = []));
      for (const e of piece.entries) entries.push(e);
      if (piece.end === undefined) continue;
      p.partial.delete(piece.index);
      p.answered.add(piece.index);
      const job = p.jobs[piece.index] as ParseJob;
      if (piece.end.kind === 'parsed' && piece.end.remembered !== undefined) this.#onRemembered?.(job.rel, piece.end.remembered);
      p.each(job, fileRead(entries, piece.end));
    }
  }

  #finish(id: number, p: Pending, err?: unknown): void {
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.#idle();
    if (err === undefined) p.resolve();
    else p.reject(err);
  }

  /** Unreferenced while idle (it keeps no process alive), and ended after idleMs. */
  #idle(): void {
    const worker = this.#worker;
    if (worker === undefined) return;
    worker.unref();
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      if (this.#worker !== worker || this.#pending.size > 0) return;
      // Cleared first: its exit is then not taken for a death (#died).
      this.#worker = undefined;
      void worker.terminate();
    }, this.#idleMs);
    this.#idleTimer.unref();
  }

  #died(worker: Worker, why: string): void {
    if (this.#worker !== worker) return;
    this.#worker = undefined;
    if (!this.#answered) {
      this.#inline = new InlineParser(this.#limits, new DocReuse(this.#nextFirstId()));
      for (const [id, p] of this.#pending) {
        this.#pending.delete(id);
        this.#inline.parse(p.jobs, p.each).then(p.resolve, p.reject);
      }
      return;
    }
    this.#failAll(`the parse worker failed (${why})`);
  }

  #failAll(why: string): void {
    for (const [id, p] of this.#pending) {
      try {
        p.jobs.forEach((job, i) => {
          if (!p.answered.has(i)) p.each(job, { kind: 'failed', message: `not parsed: ${why}`, retry: true });
        });
        this.#finish(id, p);
      } catch (err) {
        this.#finish(id, p, err);
      }
    }
  }
}

function fileRead(entries: DocEntry[], end: PieceEnd): FileRead {
  if (end.kind !== 'parsed') return end;
  const syntaxErrors = end.syntaxAt?.map((i) => {
    const outcome = (entries[i] as DocEntry).outcome;
    if (outcome.kind !== 'rejected') throw new Error('parse worker: a syntax error index names a document that is not rejected');
    return outcome.rejection;
  });
  const parsed: ParsedFile = syntaxErrors === undefined ? { entries } : { entries, syntaxErrors };
  return { kind: 'parsed', parsed, bytes: end.bytes, ...(end.docs !== undefined && { docs: end.docs }) };
}
