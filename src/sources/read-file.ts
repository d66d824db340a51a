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
 * A file read document by document (doc-reuse.ts): each document's id (the same id as in an earlier
 * reading when its text is the same), and those left out of `parsed.entries` because the reader
 * was told the consumer holds their entries (doc-cache.ts puts them back).
 */
export interface SplitDocs {
  readonly ids: readonly number[];
  /** indices of the documents not parsed again, ascending */
  readonly reused: readonly number[];
  /** the bytes of the documents parsed */
  readonly parsedBytes: number;
}

/** A file read and parsed, or why it could not be used as a whole. */
export type FileRead =
  /** `bytes`: the length of the text read (0 for an empty file); `docs`: read document by document */
  | { readonly kind: 'parsed'; readonly parsed: ParsedFile; readonly bytes: number; readonly docs?: SplitDocs }
  /** `retry`: the file may be readable on the next look without changing (a permission, a race) */
  | { readonly kind: 'failed'; readonly message: string; readonly retry: boolean };

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
