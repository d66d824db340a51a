// A config directory read into memory: every `.yaml`/`.yml`/`.json` file below the root, parsed
// and validated, cached by (size, mtimeMs, ino) so that a rescan re-reads only files that changed
// (10,000 unchanged files cost 10,000 stats, no reads or parses). No watchers or timers here:
// FileSource drives it from filesystem events, `sluice validate` reads it once.
//
// Changed files are read and parsed by a FileParser (file-parser.ts), in batches, as the walk
// finds them: FileSource's parses in a worker thread. A file that cannot be used as a whole keeps
// what it held (file-failure.ts).
//
// Directory listings and stats are synchronous but yield to the event loop every YIELD_EVERY
// files: on a busy 2-core machine 10,000 sync stats take ~0.15 s where the same async stats
// through the libuv pool take ~0.35 s, and yielding keeps each pause of the event loop (and so
// of the proxy) to a millisecond or two.
import { readdirSync, statSync, type Dirent, type Stats } from 'node:fs';
import { opendir, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { SluiceError } from '../errors.ts';
import type { SourceState } from './types.ts';
import { FileMerge } from './merge.ts';
import { sameFailure, syntaxFailure, wholeFileFailure, type FileFailure } from './file-failure.ts';
import { defaultLimits, parsedDocuments, type ConfigLimits, type FileRead } from './read-file.ts';
import type { ParsedFile } from './yaml-docs.ts';
import { InlineParser, type FileParser, type ParseJob } from './file-parser.ts';
import { DocCache } from './doc-cache.ts';

export type LogFn = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

export interface ConfigDirHooks {
  /**
   * called for each directory (`''` is the root) just before it is listed, so a watcher set up
   * here misses nothing; `id` (device:inode) changes when a directory is replaced by a new one
   */
  onDirectory?: (rel: string, abs: string, id: string) => void;
  /** called when a directory seen before is gone */
  onDirectoryGone?: (rel: string) => void;
  /**
   * called after each file is parsed (tests count re-parses with it); `docs`: how many of its
   * documents were parsed, when it was read document by document (doc-reuse.ts)
   */
  onParse?: (rel: string, docs?: number) => void;
  log?: LogFn;
  /** file size and document count limits (default: defaultLimits) */
  limits?: ConfigLimits;
  /** who reads and parses files (default: an InlineParser, in this thread) */
  parser?: FileParser;
  /**
   * set: a file that looks half written (a large file rewritten in place: doc-walk.ts) is left as
   * it was and `retry` called, so that it is looked at again; after `maxMs` of that it is read as it is
   */
  settle?: { readonly maxMs: number; readonly retry: (rel: string) => void };
}

/** Dotfiles and dot-directories (`.git`, Kubernetes' `..data`), editor backups, swap and temp files. */
export function isSkippedName(name: string): boolean {
  return name.startsWith('.') || name.startsWith('#') || name.endsWith('~') || /\.(swp|swx|swo|tmp|bak)$/i.test(name);
}

export function isConfigFileName(name: string): boolean {
  return !isSkippedName(name) && /\.(ya?ml|json)$/i.test(name);
}

interface CachedFile {
  /** null when the file could not be read: it is tried again on every rescan */
  readonly key: string | null;
  /** what the file contributes: when it failed, what it held before */
  readonly parsed: ParsedFile;
  /** set while the file's latest version cannot be used (file-failure.ts) */
  readonly failure?: FileFailure;
}

const EMPTY_FILE: ParsedFile = Object.freeze({ entries: Object.freeze([]) });

/** The documents of a file that did parse, without the rejections of those that did not. */
function withoutSyntaxErrors(parsed: ParsedFile): ParsedFile {
  const bad = new Set(parsed.syntaxErrors);
  return { entries: parsed.entries.filter((e) => e.outcome.kind !== 'rejected' || !bad.has(e.outcome.rejection)) };
}

const MAX_DEPTH = 32;
// Stats between yields (parsers yield on their own: file-parser.ts).
const YIELD_EVERY = 128;
// Files per batch sent to the parser, or fewer when they add up to this many bytes: small enough
// that a worker starts on the first batch while the walk goes on, large enough that messages are few.
const BATCH_FILES = 64;
const BATCH_BYTES = 1024 * 1024;

export class ConfigDir {
  readonly root: string;
  readonly #hooks: ConfigDirHooks;
  readonly #files = new Map<string, CachedFile>();
  readonly #dirs = new Set<string>();
  /** directories that could not be listed, warned about once until they can be again */
  readonly #unreadable = new Set<string>();
  /** the merged state, kept up to date file by file (see merge.ts) */
  readonly #merge = new FileMerge();
  readonly #parser: FileParser;
  /** the entries of large files' unchanged documents, so that they are not parsed again */
  readonly #docs = new DocCache();
  /** files to parse, gathered into batches (see #queue) */
  #batch: Array<{ job: ParseJob; key: string; changed: { value: boolean } }> = [];
  #batchBytes = 0;
  /** batches sent to the parser and not answered yet */
  readonly #parsing = new Set<Promise<void>>();
  #work = 0;
  /** files that looked half written, since when (performance.now()) */
  readonly #unsettled = new Map<string, number>();

  constructor(root: string, hooks: ConfigDirHooks = {}) {
    this.root = root;
    this.#hooks = hooks;
    this.#parser = hooks.parser ?? new InlineParser(hooks.limits ?? defaultLimits);
  }

  /** Lets go of the parser's resources (its worker thread). */
  close(): Promise<void> {
    return this.#parser.close();
  }

  /** Every parsed file by path relative to the root. */
  files(): ReadonlyMap<string, ParsedFile> {
    return new Map([...this.#files].map(([k, v]) => [k, v.parsed]));
  }

  /**
   * The merged state, made again only after something changed. Its `changes` lead from the state
   * returned before, so a consumer that applied that one can apply just the difference.
   */
  state(): SourceState {
    return this.#merge.state();
  }

  /** How many resources the current state holds (without building the list). */
  resourceCount(): number {
    return this.#merge.size;
  }

  /** Rescans the subtree at `rel` (`''`: everything). Returns true when any file was added, changed or removed. */
  async scan(rel = ''): Promise<boolean> {
    const seenFiles = new Set<string>();
    const seenDirs = new Set<string>();
    const changed = { value: false };
    await this.#walk(rel, 0, new Set(), seenFiles, seenDirs, changed);
    await this.#parsed();
    for (const f of [...this.#files.keys()]) {
      if (isUnder(f, rel) && !seenFiles.has(f)) this.#remove(f, changed);
    }
    for (const d of [...this.#dirs]) {
      if (isUnder(d, rel) && !seenDirs.has(d)) this.#dirGone(d);
    }
    return changed.value;
  }

  /** Looks again at one path an event named: a file, a directory, or something that is gone. */
  async recheck(rel: string): Promise<boolean> {
    await this.#pace();
    const st = statOrNull(join(this.root, rel));
    if (st === null) {
      const changed = { value: false };
      for (const f of [...this.#files.keys()]) if (isUnder(f, rel)) this.#remove(f, changed);
      for (const d of [...this.#dirs]) if (isUnder(d, rel)) this.#dirGone(d);
      return changed.value;
    }
    if (st.isDirectory()) return this.scan(rel);
    if (!st.isFile() || !isConfigFileName(posix.basename(rel))) return false;
    const changed = { value: false };
    this.#checkFile(rel, st, changed);
    await this.#parsed();
    return changed.value;
  }

  async #walk(rel: string, depth: number, visited: Set<string>, seenFiles: Set<string>, seenDirs: Set<string>, changed: { value: boolean }): Promise<void> {
    const abs = join(this.root, rel);
    const st = statOrNull(abs);
    if (st === null || !st.isDirectory()) return;
    // Symlinked directories can form loops; a directory is read once per scan.
    const id = `${st.dev}:${st.ino}`;
    if (visited.has(id) || depth > MAX_DEPTH) return;
    visited.add(id);
    seenDirs.add(rel);
    if (!this.#dirs.has(rel)) this.#dirs.add(rel);
    this.#hooks.onDirectory?.(rel, abs, id);
    let entries: Dirent[];
    try {
      entries = readdirSync(abs, { withFileTypes: true });
      this.#unreadable.delete(rel);
    } catch (err) {
      // Unreadable for now (EACCES, EMFILE): keep what was read from it before.
      if (!this.#unreadable.has(rel)) this.#hooks.log?.('warn', 'cannot read config directory', { dir: abs, error: (err as Error).message });
      this.#unreadable.add(rel);
      for (const f of this.#files.keys()) if (isUnder(f, rel)) seenFiles.add(f);
      for (const d of this.#dirs) if (isUnder(d, rel)) seenDirs.add(d);
      return;
    }
    const subdirs: string[] = [];
    const files: string[] = [];
    for (const e of entries) {
      if (isSkippedName(e.name)) continue;
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) subdirs.push(child);
      else if (e.isSymbolicLink()) (isConfigFileName(e.name) ? files : subdirs).push(child);
      else if (e.isFile() && isConfigFileName(e.name)) files.push(child);
    }
    for (const f of files) {
      await this.#pace();
      const fst = statOrNull(join(this.root, f));
      if (fst === null) continue;
      if (fst.isDirectory()) subdirs.push(f); // a symlink (or a directory named x.yaml)
      else if (fst.isFile()) {
        seenFiles.add(f);
        this.#checkFile(f, fst, changed);
      }
    }
    for (const d of subdirs) await this.#walk(d, depth + 1, visited, seenFiles, seenDirs, changed);
  }

  /** Lets the event loop run between batches of file system calls. */
  async #pace(): Promise<void> {
    if (++this.#work < YIELD_EVERY) return;
    this.#work = 0;
    await new Promise<void>((r) => setImmediate(r));
  }

  /** Queues the file for parsing unless it is unchanged since it was read. */
  #checkFile(rel: string, st: Stats, changed: { value: boolean }): void {
    const key = `${st.size}:${st.mtimeMs}:${st.ino}`;
    const cached = this.#files.get(rel);
    if (cached !== undefined && cached.key === key) return;
    const held = this.#docs.held(rel);
    const since = this.#unsettled.get(rel);
    const settle = this.#hooks.settle !== undefined && (since === undefined || performance.now() - since < this.#hooks.settle.maxMs);
    this.#batch.push({ job: { rel, abs: join(this.root, rel), size: st.size, ...(held !== undefined && { held }), ...(settle && { settle }) }, key, changed });
    this.#batchBytes += st.size;
    if (this.#batch.length >= BATCH_FILES || this.#batchBytes >= BATCH_BYTES) this.#send();
  }

  /** Sends the gathered files to the parser; their results are taken as they come. */
  #send(): void {
    if (this.#batch.length === 0) return;
    const batch = this.#batch;
    this.#batch = [];
    this.#batchBytes = 0;
    const queued = new Map(batch.map((b) => [b.job.rel, b]));
    const done = this.#parser
      .parse(
        batch.map((b) => b.job),
        (job, reading) => {
          const read = this.#docs.take(job.rel, reading);
          if (reading.kind === 'parsed') {
            const docs = reading.docs;
            this.#hooks.onParse?.(job.rel, docs === undefined ? undefined : parsedDocuments(docs));
            // The documents parsed (not those the cache gave back): a one-document edit of a
            // 50,000-document file looks at that document's kinds, not at 50,000.
            if (read.kind === 'parsed') this.#warnIgnored(job.rel, reading.parsed);
          }
          const { key, changed } = queued.get(job.rel) as (typeof batch)[number];
          this.#use(job.rel, key, read, changed);
        },
      )
      .finally(() => this.#parsing.delete(done));
    this.#parsing.add(done);
  }

  /** Resolves when every file queued so far has been parsed and taken. */
  async #parsed(): Promise<void> {
    this.#send();
    while (this.#parsing.size > 0) await Promise.all(this.#parsing);
  }

  /** Takes a file's new reading: its documents, or (it failed) a failure that keeps what it held. */
  #use(rel: string, key: string, read: FileRead, changed: { value: boolean }): void {
    if (read.kind === 'unsettled') {
      // Nothing changes (its cache key neither: the next look reads it again).
      if (!this.#unsettled.has(rel)) this.#unsettled.set(rel, performance.now());
      this.#hooks.settle?.retry(rel);
      return;
    }
    this.#unsettled.delete(rel);
    const cached = this.#files.get(rel);
    const held = cached?.parsed.entries.some((e) => e.outcome.kind === 'resource') ?? false;
    // Truncated to nothing is how most in-place writes (`>` in a shell) begin; deleting a file, or
    // leaving a comment in it, is how one empties it on purpose.
    const emptied = read.kind === 'parsed' && read.bytes === 0 && held;
    if (read.kind === 'parsed' && read.parsed.syntaxErrors === undefined && !emptied) {
      this.#set(rel, { key, parsed: read.parsed }, changed);
      return;
    }
    // A file that failed before it was ever read keeps nothing: the documents that parse are used.
    const kept = cached?.parsed ?? (read.kind === 'parsed' ? withoutSyntaxErrors(read.parsed) : EMPTY_FILE);
    const keeps = kept.entries.some((e) => e.outcome.kind === 'resource');
    const failure =
      read.kind === 'failed' ? wholeFileFailure(rel, read.message, keeps)
      : emptied ? wholeFileFailure(rel, 'the file is empty (a write in progress?)', keeps)
      : syntaxFailure(read.parsed.syntaxErrors ?? [], keeps);
    // An unreadable file is tried again on every rescan, and reported once.
    const fileKey = read.kind === 'failed' && read.retry ? null : key;
    if (cached !== undefined && cached.key === fileKey && sameFailure(cached.failure, failure)) return;
    if (cached?.parsed !== kept) this.#merge.set(rel, kept);
    this.#files.set(rel, { key: fileKey, parsed: kept, failure });
    this.#merge.fail(rel, failure.rejections);
    changed.value = true;
  }

  /** One warning per (file, kind) each time a document holding it is read, not on every rescan. */
  #warnIgnored(rel: string, parsed: ParsedFile): void {
    const kinds = new Set<string>();
    for (const { outcome } of parsed.entries) {
      if (outcome.kind === 'ignored') kinds.add(`${outcome.apiVersion} ${outcome.kindName}`);
    }
    for (const kind of kinds) this.#hooks.log?.('warn', `ignoring ${kind}: not a kind Sluice reads`, { file: rel });
  }

  #set(rel: string, file: CachedFile, changed: { value: boolean }): void {
    this.#files.set(rel, file);
    this.#merge.set(rel, file.parsed);
    changed.value = true;
  }

  #remove(rel: string, changed: { value: boolean }): void {
    this.#files.delete(rel);
    this.#unsettled.delete(rel);
    this.#docs.forget(rel);
    this.#parser.forget?.(rel);
    this.#merge.delete(rel);
    changed.value = true;
  }

  #dirGone(rel: string): void {
    this.#dirs.delete(rel);
    this.#hooks.onDirectoryGone?.(rel);
  }
}

/** Throws SLUICE_ERR_CONFIG_DIR, naming the path, unless `root` is a readable directory. */
export async function checkConfigDir(root: string): Promise<void> {
  let isDir: boolean;
  try {
    isDir = (await stat(root)).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${(err as Error).message})`;
    throw new SluiceError('SLUICE_ERR_CONFIG_DIR', `config directory ${root} ${why}`, { cause: err });
  }
  if (!isDir) throw new SluiceError('SLUICE_ERR_CONFIG_DIR', `config directory ${root} is not a directory`);
  try {
    await (await opendir(root)).close();
  } catch (err) {
    throw new SluiceError('SLUICE_ERR_CONFIG_DIR', `config directory ${root} cannot be read (${(err as Error).message})`, { cause: err });
  }
}

function isUnder(path: string, dir: string): boolean {
  return dir === '' || path === dir || path.startsWith(`${dir}/`);
}

function statOrNull(abs: string): Stats | null {
  try {
    return statSync(abs);
  } catch {
    return null;
  }
}
