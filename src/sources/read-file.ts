// Reads and parses one config file, within the limits: the work a parse worker does for each file
// (parse-worker.ts), and what `ConfigDir` does in its own thread when it has no worker.
import { readFileSync } from 'node:fs';
import { parseConfigText, type ParsedFile } from './yaml-docs.ts';

export interface ConfigLimits {
  /** the largest config file read, in bytes (--max-config-file-size) */
  readonly maxFileBytes: number;
  /** the most documents (and `kind: List` items) one file may hold (--max-config-documents) */
  readonly maxDocuments: number;
}

// Generous for any real file, small enough to bound what one costs (parsing takes several times a
// file's size in memory): 2,000 Knative apps with their Services and Endpoints (bench/ingress-gen.ts)
// are 10,000 documents and about 9.5 MB, and etcd refuses any single object over 1.5 MiB. A file
// with more is a generated dump, better split (each file is parsed and reloaded on its own).
export const defaultLimits: ConfigLimits = Object.freeze({ maxFileBytes: 32 * 1024 * 1024, maxDocuments: 10_000 });

/**
 * A file read document by document (doc-reuse.ts): this reading's token (the consumer sends it with
 * the file's next job, as ParseJob.held, once it has taken this reading), and the documents left
 * out of `parsed.entries` because the consumer holds their entries from the reading it named
 * (doc-cache.ts puts them back).
 */
export interface SplitDocs {
  readonly reading: number;
  /** how many documents the file holds */
  readonly count: number;
  /**
   * runs of documents not parsed again, as flat triples `at, from, length`: the documents
   * [at, at + length) are the documents [from, from + length) of the reading the job named. An
   * edit of one document among 50,000 is two runs, so what crosses from the worker stays small.
   */
  readonly reused: readonly number[];
  /** the bytes of the documents parsed */
  readonly parsedBytes: number;
}

/** How many of a reading's documents were parsed (not reused). */
export function parsedDocuments(docs: SplitDocs): number {
  let reused = 0;
  for (let k = 2; k < docs.reused.length; k += 3) reused += docs.reused[k] as number;
  return docs.count - reused;
}

/** A file read and parsed, or why it could not be used as a whole. */
export type FileRead =
  /** `bytes`: the length of the text read (0 for an empty file); `docs`: read document by document */
  | { readonly kind: 'parsed'; readonly parsed: ParsedFile; readonly bytes: number; readonly docs?: SplitDocs }
  /** `retry`: the file may be readable on the next look without changing (a permission, a race) */
  | { readonly kind: 'failed'; readonly message: string; readonly retry: boolean }
  /** the file looked half written (doc-walk.ts): not used, and read again once its writer is done */
  | { readonly kind: 'unsettled'; readonly why: string };

/** `size`: the file's size when it was found (a stat the caller made), checked before reading. */
export function readConfigFile(abs: string, rel: string, size: number, limits: ConfigLimits): FileRead {
  let text: string;
  try {
    const read = size > limits.maxFileBytes ? null : readBounded(abs, limits.maxFileBytes);
    if (read === null) return tooLarge(limits);
    text = read;
  } catch (err) {
    return cannotRead(err);
  }
  // A UTF-8 byte order mark is legal in YAML but not in JSON.parse.
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  return parseWholeText(text, rel, limits);
}

/** The text of a file (without its byte order mark) parsed in one go. */
export function parseWholeText(text: string, rel: string, limits: ConfigLimits): FileRead {
  // Counted before parsing, so that a file of 100,000 documents costs a scan, not a parse.
  if (documentMarkers(text, limits.maxDocuments) > limits.maxDocuments) return tooMany(limits);
  const parsed = parseConfigText(text, rel);
  if (parsed.entries.length > limits.maxDocuments) return tooMany(limits);
  return { kind: 'parsed', parsed, bytes: text.length };
}

export function tooMany(limits: ConfigLimits): FileRead {
  return { kind: 'failed', message: `file holds more than ${limits.maxDocuments} documents (--max-config-documents); split it into several files`, retry: false };
}

export function cannotRead(err: unknown): FileRead {
  return { kind: 'failed', message: `cannot read file: ${(err as Error).message}`, retry: true };
}

export function tooLarge(limits: ConfigLimits): FileRead {
  return { kind: 'failed', message: `file is larger than the ${limits.maxFileBytes}-byte limit (--max-config-file-size)`, retry: false };
}

/**
 * The file's text, or null when it is over `max` bytes: readFileSync's own UTF-8 path is the
 * fastest read (a cold start reads 10,000 files), and a file that grew past the limit since the
 * caller's stat is caught by its length.
 */
function readBounded(abs: string, max: number): string | null {
  const text = readFileSync(abs, 'utf8');
  return text.length > max ? null : text;
}

/** The `---` lines, counted up to just past `stop`: each starts a document. */
function documentMarkers(text: string, stop: number): number {
  let count = 0;
  let at = text.startsWith('---') ? 0 : text.indexOf('\n---');
  while (at !== -1 && count <= stop) {
    count++;
    at = text.indexOf('\n---', at + 1);
  }
  return count;
}
