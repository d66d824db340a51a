// Reads what `sluice validate` checks: a config directory exactly as `serve` reads it, or one file
// parsed the same way; and finds lines for messages the parse did not place (duplicates, ignored
// kinds, translator problems) by reading the file again, which `serve`'s hot path never does.
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Origin, Rejection } from '../../api/types.ts';
import { checkConfigDir, ConfigDir } from '../../sources/config-dir.ts';
import { mergeParsedFiles } from '../../sources/merge.ts';
import type { ConfigLimits } from '../../sources/read-file.ts';
import type { SourceState } from '../../sources/types.ts';
import { parseConfigText, type ParsedFile } from '../../sources/yaml-docs.ts';
import { FilePositions, withLines } from '../../sources/yaml-positions.ts';

export interface ConfigRead {
  /** by the path messages name: relative to the directory, or the file as given */
  readonly files: ReadonlyMap<string, ParsedFile>;
  readonly state: SourceState;
  /** the text of a file named in `files` (undefined when it cannot be read again) */
  readonly text: (file: string) => string | undefined;
}

/** Throws SluiceError SLUICE_ERR_CONFIG_DIR when `path` is missing, or a directory that cannot be read. */
export async function readConfig(path: string, limits?: ConfigLimits): Promise<ConfigRead> {
  const abs = resolve(path);
  const isFile = await stat(abs).then((s) => s.isFile(), () => false);
  if (isFile) {
    const text = stripBom(readFileSync(abs, 'utf8'));
    const files = new Map([[path, parseConfigText(text, path)]]);
    return { files, state: mergeParsedFiles(files), text: (f) => (f === path ? text : undefined) };
  }
  await checkConfigDir(abs);
  const config = new ConfigDir(abs, limits === undefined ? {} : { limits });
  await config.scan('');
  return { files: config.files(), state: config.state(), text: (f) => readText(join(abs, f)) };
}

function readText(abs: string): string | undefined {
  try {
    return stripBom(readFileSync(abs, 'utf8'));
  } catch {
    return undefined;
  }
}

// A UTF-8 byte order mark is legal in YAML but not in JSON.parse (config-dir.ts strips it too).
function stripBom(text: string): string {
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

/** Lines of fields in the files read, each file parsed for positions once, when first asked. */
export class Lines {
  readonly #read: ConfigRead;
  readonly #positions = new Map<string, FilePositions | null>();

  constructor(read: ConfigRead) {
    this.#read = read;
  }

  /** The line of `path` (a field path of the document or List item at `origin`). */
  of(origin: Origin, path = ''): number | undefined {
    const positions = this.#file(origin.file);
    if (positions === null || origin.doc === undefined) return undefined;
    const item = origin.item === undefined ? '' : `items[${origin.item}]`;
    return positions.lineOf(origin.doc, item === '' ? path : path === '' ? item : path.startsWith('[') ? `${item}${path}` : `${item}.${path}`);
  }

  /** The rejection with lines, when its parse did not give them (a duplicate found by the merge). */
  rejection(r: Rejection): Rejection {
    if (r.line !== undefined) return r;
    const positions = this.#file(r.origin.file);
    return positions === null ? r : withLines(r, positions, r.origin.doc);
  }

  #file(file: string | undefined): FilePositions | null {
    if (file === undefined) return null;
    let p = this.#positions.get(file);
    if (p === undefined) {
      const text = this.#read.text(file);
      p = text === undefined ? null : new FilePositions(text);
      this.#positions.set(file, p);
    }
    return p;
  }
}
