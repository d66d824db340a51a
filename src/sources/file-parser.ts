// How a ConfigDir gets its files read and parsed: in its own thread (InlineParser: `sluice
// validate`, benchmarks) or in a worker thread (WorkerParser, parse-pool.ts: `sluice serve`, whose
// event loop is also the data plane's).
import { readConfigFile, type ConfigLimits, type FileRead } from './read-file.ts';

/** One file to read: its path relative to the config root (as reported) and absolute. */
export interface ParseJob {
  readonly rel: string;
  readonly abs: string;
}

export interface FileParser {
  /**
   * Reads and parses `jobs`, calling `each` once per job (in any order, a few at a time between
   * turns of the event loop); resolves when every job has had its call.
   */
  parse(jobs: readonly ParseJob[], each: (job: ParseJob, read: FileRead) => void): Promise<void>;
  /** Releases what the parser holds (a worker thread); parse() may start it again. */
  close(): Promise<void>;
}

// Files parsed between yields to the event loop: a small file parses in about 0.1 ms.
const YIELD_EVERY = 8;

export class InlineParser implements FileParser {
  readonly #limits: ConfigLimits;

  constructor(limits: ConfigLimits) {
    this.#limits = limits;
  }

  async parse(jobs: readonly ParseJob[], each: (job: ParseJob, read: FileRead) => void): Promise<void> {
    for (let i = 0; i < jobs.length; i++) {
      if (i > 0 && i % YIELD_EVERY === 0) await new Promise<void>((r) => setImmediate(r));
      const job = jobs[i] as ParseJob;
      each(job, readConfigFile(job.abs, job.rel, this.#limits));
    }
  }

  async close(): Promise<void> {}
}
