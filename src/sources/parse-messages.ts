// The messages between WorkerParser (parse-pool.ts) and its worker (parse-worker.ts). Results come
// back in pieces of bounded size, one message per turn of the main thread's event loop (it acks
// each), so that taking in a 30 MB file never holds up the data plane for long: deserialising a
// message costs the main thread time in proportion to its size.
import type { ConfigLimits, SplitDocs } from './read-file.ts';
import type { ParseJob } from './file-parser.ts';
import type { DocEntry } from './yaml-docs.ts';
import type { Remembered } from './doc-reuse.ts';

export interface WorkerInit {
  readonly limits: ConfigLimits;
  /** the first document id this worker gives out (doc-reuse.ts): above every earlier worker's */
  readonly firstId: number;
}

/** main -> worker */
export type ToWorker =
  | { readonly type: 'parse'; readonly id: number; readonly jobs: readonly ParseJob[] }
  | { readonly type: 'ack' }
  /** a file is gone: drop what is remembered of it */
  | { readonly type: 'forget'; readonly rel: string };

/** How a file's reading ends, after all its pieces' entries. */
export type PieceEnd =
  /** `remembered`: what the worker remembered of the file (doc-reuse.ts), handed to the gateway's thread, which reads its next versions */
  | { readonly kind: 'parsed'; readonly bytes: number; readonly syntaxAt?: readonly number[]; readonly docs?: SplitDocs; readonly remembered?: Remembered }
  | { readonly kind: 'failed'; readonly message: string; readonly retry: boolean }
  | { readonly kind: 'unsettled'; readonly why: string };

/** Some of a file's entries, in order; the last piece of a file has `end`. */
export interface Piece {
  readonly index: number;
  readonly entries: readonly DocEntry[];
  readonly end?: PieceEnd;
}

/** worker -> main: pieces of the files of job `id` (by index in its jobs); `done` on its last message. */
export interface FromWorker {
  readonly id: number;
  readonly pieces: readonly Piece[];
  readonly done: boolean;
}
