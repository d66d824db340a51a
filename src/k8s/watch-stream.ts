// A watch response read as the API server writes it: one JSON object per line
// (`{"type":"ADDED","object":{...}}`), in chunks that split lines anywhere. A line that is not a
// watch event is skipped, as client-go's decoder skips what it cannot decode; a line longer than
// MAX_LINE ends the stream with an error rather than growing without bound.
import type { IncomingMessage } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { SluiceError } from '../errors.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
const TYPES = new Set<string>(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/** larger than any object the API server stores (etcd's limit is 1.5 MiB) with room to spare */
const MAX_LINE = 64 << 20;

/** Splits text chunks into lines; pure, for the stream below and for tests. */
export class LineSplitter {
  #partial = '';
  /** the complete lines in `chunk` (after what was held back), holding back a trailing partial line */
  push(chunk: string): string[] {
    const text = this.#partial + chunk;
    const lines = text.split('\n');
    this.#partial = lines.pop()!;
    if (this.#partial.length > MAX_LINE) throw new SluiceError('SLUICE_ERR_KUBERNETES', `watch event longer than ${MAX_LINE} bytes`);
    return lines;
  }
  /** what is left at the end of the stream */
  end(): string[] {
    const rest = this.#partial;
    this.#partial = '';
    return rest.trim() ? [rest] : [];
  }
}

/** The event a line holds, or undefined when it is not one. */
export function parseWatchLine<T>(line: string): { type: WatchEventType; object: T } | undefined {
  if (!line.trim()) return undefined;
  try {
    const e = JSON.parse(line) as { type?: unknown; object?: unknown };
    if (typeof e?.type !== 'string' || !TYPES.has(e.type) || typeof e.object !== 'object' || e.object === null) return undefined;
    return { type: e.type as WatchEventType, object: e.object as T };
  } catch {
    return undefined;
  }
}

/** Reads events from a 200 watch response until it ends; `done` once (null on a clean end). */
export function readWatch<T>(res: IncomingMessage, onEvent: (type: WatchEventType, object: T) => void, done: (err: Error | null) => void): void {
  const decoder = new StringDecoder('utf8');
  const lines = new LineSplitter();
  let finished = false;
  const finish = (err: Error | null): void => {
    if (finished) return;
    finished = true;
    res.destroy();
    done(err);
  };
  const deliver = (batch: string[]): void => {
    for (const l of batch) {
      if (finished) return;
      const e = parseWatchLine<T>(l);
      if (e) onEvent(e.type, e.object);
    }
  };
  res.on('data', (chunk: Buffer) => {
    try {
      deliver(lines.push(decoder.write(chunk)));
    } catch (err) {
      finish(err as Error);
    }
  });
  res.on('end', () => {
    deliver(lines.push(decoder.end()));
    deliver(lines.end());
    finish(null);
  });
  res.on('error', (err) => finish(err));
  res.on('close', () => finish(res.complete ? null : new SluiceError('SLUICE_ERR_KUBERNETES', 'watch connection closed mid-response')));
}
