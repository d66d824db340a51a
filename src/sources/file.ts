// The file-mode source: a directory of YAML/JSON files, hot-reloaded.
//
// Watching: one non-recursive fs.watch per directory. Node 20's `recursive: true` on Linux is
// not reliable: after an editor's atomic replace (write temp, rename over) it stops reporting
// edits of that file (checked on Node 20.20). Per-directory inotify watchers see every add,
// edit, delete and rename; a new subdirectory gets its own watcher when it is scanned.
// Events only name what to look at again; a periodic stat-only rescan (default every 2 s) is
// the safety net for lost events, file systems without inotify, and a root that comes back.
// Its period stretches with its cost (about 1% of a core, at most 30 s): 10,000 files take
// ~100 ms to stat, and doing that every 2 s cost the data plane 15% of its throughput.
//
// Events are gathered until the directory has been quiet for `quietMs` (10 ms: an atomic replace
// is one event, and an edit is served without waiting out a window), or for at most `debounceMs`
// from the first one (50 ms: a burst of writes cannot postpone a reload), then the whole state is
// pushed. A file caught half written is read again on its next event: an emptied file keeps what
// it held (config-dir.ts). A large file rewritten in place (`kubectl get -o yaml > file`) outlasts
// the window: a reading of it that looks half written (doc-walk.ts) is not used; the file is read
// again on its next event (the writer's last write sends one), or 4 x `debounceMs` later (a missed
// event, a file that only looks half written), and as it is once it has looked half written for
// `settleMs` (1 s), so that a file that never settles is still read.
//
// If the directory vanishes after start, the last pushed state stays in force (a missing mount
// should not empty a running gateway) and a warning is logged; when it reappears it is read
// in full and pushed, even if it is now empty.
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { formatRejection } from '../api/format.ts';
import { checkConfigDir, ConfigDir, isSkippedName, type LogFn } from './config-dir.ts';
import { DocReuse } from './doc-reuse.ts';
import { BySizeParser, FirstReadParser, InlineParser, KnownHereParser, type FileParser } from './file-parser.ts';
import { sortPaths } from './merge.ts';
import { WorkerParser } from './parse-pool.ts';
import { defaultLimits, type ConfigLimits } from './read-file.ts';
import type { Source, SourceState } from './types.ts';

// Files this large or larger, first seen after start, are parsed in the worker: 64 KiB of YAML
// parses in a few milliseconds, a pause the data plane can take; larger files would hold it up
// longer. Files read before (at start, or by the worker) are read in this thread document by
// document (KnownHereParser): an edit parses only the documents it changed, between turns of the
// event loop, with no thread hop and no copy of the result.
export const WORKER_FROM_BYTES = 64 * 1024;

export interface FileSourceOptions {
  dir: string;
  /** the longest filesystem events are gathered before reloading, from the first (default 50 ms) */
  debounceMs?: number;
  /** reload sooner once no event came for this long (default 10 ms) */
  quietMs?: number;
  /** how long a file that looks half written is waited for before it is read as it is (default 1000 ms) */
  settleMs?: number;
  /** stat-only full rescan interval; 0 turns it off (default 2000 ms) */
  rescanIntervalMs?: number;
  /** false: read once at start, no watchers or timers (default true) */
  watch?: boolean;
  log?: LogFn;
  /** called after each file is parsed; tests count re-parses with it */
  onParse?: (file: string, docs?: number) => void;
  /** file size and document count limits (default: defaultLimits in read-file.ts) */
  limits?: ConfigLimits;
  /** 'worker' (default): files of WORKER_FROM_BYTES or more first seen after start are parsed in a worker thread, off the data plane's event loop */
  parser?: 'worker' | 'inline';
}

interface Watched {
  readonly id: string;
  readonly watcher: FSWatcher;
}

export class FileSource implements Source {
  readonly #root: string;
  readonly #debounceMs: number;
  readonly #quietMs: number;
  /** when the gathering of events began, and when the last one came (performance.now()) */
  #firstEventAt = 0;
  #lastEventAt = 0;
  readonly #rescanMs: number;
  readonly #watch: boolean;
  readonly #log: LogFn;
  readonly #config: ConfigDir;
  readonly #watchers = new Map<string, Watched>();
  readonly #watchFailed = new Set<string>();
  readonly #dirty = new Set<string>();
  #fullRescan = false;
  #push: ((state: SourceState) => void) | undefined;
  #debounce: NodeJS.Timeout | undefined;
  /** a look again at files that looked half written */
  #settleTimer: NodeJS.Timeout | undefined;
  #rescanTimer: NodeJS.Timeout | undefined;
  /** the next rescan's delay: rescanMs, or longer when a rescan takes long */
  #rescanDelay: number;
  #busy: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  #rootGone = false;
  #reported = new Set<string>();
  /** set until the first read is done: every file is read in this thread until then */
  #firstRead: FirstReadParser | undefined;

  constructor(options: FileSourceOptions) {
    this.#root = resolve(options.dir);
    this.#debounceMs = options.debounceMs ?? 50;
    this.#quietMs = Math.min(options.quietMs ?? 10, this.#debounceMs);
    this.#rescanMs = options.rescanIntervalMs ?? 2000;
    this.#rescanDelay = this.#rescanMs;
    this.#watch = options.watch ?? true;
    this.#log = options.log ?? (() => {});
    const limits = options.limits ?? defaultLimits;
    let parser: FileParser;
    if (options.parser === 'inline') parser = new InlineParser(limits);
    else {
      const small = new InlineParser(limits);
      const reuse = new DocReuse();
      const here = new InlineParser(limits, reuse);
      const worker = new WorkerParser(limits, { onRemembered: (rel, file) => reuse.adopt(rel, file, join(this.#root, rel)) });
      const first = new FirstReadParser(new BySizeParser(small, here, WORKER_FROM_BYTES), new BySizeParser(small, new KnownHereParser(reuse, here, worker), WORKER_FROM_BYTES));
      this.#firstRead = first;
      parser = first;
    }
    this.#config = new ConfigDir(this.#root, {
      onDirectory: (rel, abs, id) => this.#watchDir(rel, abs, id),
      onDirectoryGone: (rel) => this.#unwatch(rel),
      ...(options.onParse !== undefined && { onParse: options.onParse }),
      log: this.#log,
      limits,
      parser,
      ...(this.#watch && { settle: { maxMs: options.settleMs ?? 1000, retry: (rel: string) => this.#settleLater(rel) } }),
    });
  }

  /** The directory being read, absolute. */
  get dir(): string {
    return this.#root;
  }

  async start(push: (state: SourceState) => void): Promise<void> {
    await checkConfigDir(this.#root);
    this.#push = push;
    // The first scan counts as a reload in progress: events it causes (watchers are set up as it
    // goes) wait for it instead of racing it, then run once it is done.
    const first = this.#config.scan('').then(() => undefined);
    this.#busy = first;
    try {
      await first;
    } finally {
      this.#busy = undefined;
      this.#firstRead?.settle();
      this.#firstRead = undefined;
    }
    this.#deliver();
    if (this.#again) {
      this.#again = false;
      void this.#flush();
    }
    this.#armRescan();
  }

  #armRescan(): void {
    if (!this.#watch || this.#rescanMs <= 0 || this.#stopped) return;
    this.#rescanTimer = setTimeout(() => {
      this.#fullRescan = true;
      void this.#flush().then(() => this.#armRescan());
    }, this.#rescanDelay);
    this.#rescanTimer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#debounce);
    clearTimeout(this.#settleTimer);
    clearTimeout(this.#rescanTimer);
    for (const rel of [...this.#watchers.keys()]) this.#unwatch(rel);
    await this.#busy;
    await this.#config.close();
  }

  #watchDir(rel: string, abs: string, id: string): void {
    if (!this.#watch || this.#stopped) return;
    const old = this.#watchers.get(rel);
    if (old !== undefined && old.id === id) return;
    // A directory removed and created again under the same name needs a new watcher.
    if (old !== undefined) this.#unwatch(rel);
    try {
      // Not persistent: the source alone never keeps a process alive (servers do).
      const watcher = watch(abs, { persistent: false }, (_event, name) => this.#onEvent(rel, name));
      watcher.on('error', (err) => {
        this.#log('warn', 'config directory watcher failed; rescanning', { dir: abs, error: err.message });
        if (this.#watchers.get(rel)?.watcher === watcher) this.#unwatch(rel);
        this.#fullRescan = true;
        this.#schedule();
      });
      this.#watchers.set(rel, { id, watcher });
      this.#watchFailed.delete(rel);
    } catch (err) {
      // e.g. ENOSPC (inotify watch limit): the periodic rescan still sees changes, only later.
      if (!this.#watchFailed.has(rel)) {
        this.#watchFailed.add(rel);
        this.#log('warn', 'cannot watch config directory; relying on periodic rescans', { dir: abs, error: (err as Error).message });
      }
    }
  }

  #unwatch(rel: string): void {
    const w = this.#watchers.get(rel);
    if (w === undefined) return;
    this.#watchers.delete(rel);
    try {
      w.watcher.close();
    } catch {
      // already closed by the runtime: nothing left to release
    }
  }

  #onEvent(dirRel: string, name: string | Buffer | null): void {
    try {
      if (this.#stopped) return;
      const base = name === null ? null : String(name);
      if (base === null || base.startsWith('..')) {
        // No name, or Kubernetes' ConfigMap writer swapping its `..data` symlink: look at the whole directory.
        this.#dirty.add(dirRel);
      } else if (!isSkippedName(base)) {
        this.#dirty.add(dirRel === '' ? base : `${dirRel}/${base}`);
      } else {
        return;
      }
      this.#schedule();
    } catch (err) {
      this.#log('error', 'config watcher callback failed', { error: (err as Error).message });
    }
  }

  /** Looks at `rel` again after 4 x debounceMs (or sooner, on its next event). */
  #settleLater(rel: string): void {
    if (this.#stopped) return;
    this.#dirty.add(rel);
    if (this.#settleTimer !== undefined) return;
    this.#settleTimer = setTimeout(() => {
      this.#settleTimer = undefined;
      void this.#flush();
    }, 4 * this.#debounceMs);
    this.#settleTimer.unref();
  }

  #schedule(): void {
    if (this.#stopped) return;
    const now = performance.now();
    this.#lastEventAt = now;
    if (this.#debounce !== undefined) return;
    this.#firstEventAt = now;
    this.#wait(this.#quietMs);
  }

  /** Reloads when the directory has been quiet for quietMs, or debounceMs after the first event. */
  #wait(ms: number): void {
    this.#debounce = setTimeout(() => {
      const now = performance.now();
      const quietLeft = this.#lastEventAt + this.#quietMs - now;
      const windowLeft = this.#firstEventAt + this.#debounceMs - now;
      if (quietLeft > 0 && windowLeft > 0 && !this.#stopped) {
        this.#wait(Math.min(quietLeft, windowLeft));
        return;
      }
      this.#debounce = undefined;
      void this.#flush();
    }, Math.max(1, Math.ceil(ms)));
    this.#debounce.unref();
  }

  /** Runs reloads one at a time; a request during a reload runs one more pass after it. */
  #flush(): Promise<void> {
    if (this.#busy !== undefined) {
      this.#again = true;
      return this.#busy;
    }
    const run = async (): Promise<void> => {
      try {
        do {
          this.#again = false;
          await this.#reloadOnce();
        } while (this.#again && !this.#stopped);
      } catch (err) {
        this.#log('error', 'config reload failed; keeping the last configuration', { error: (err as Error).message });
      } finally {
        this.#busy = undefined;
      }
    };
    this.#busy = run();
    return this.#busy;
  }

  async #reloadOnce(): Promise<void> {
    if (this.#stopped) return;
    let full = this.#fullRescan;
    const dirty = sortPaths(this.#dirty);
    this.#fullRescan = false;
    this.#dirty.clear();
    if (!(await isDirectory(this.#root))) {
      if (!this.#rootGone) {
        this.#rootGone = true;
        this.#log('warn', 'config directory is gone; keeping the last configuration until it comes back', { dir: this.#root });
        for (const rel of [...this.#watchers.keys()]) this.#unwatch(rel);
      }
      return;
    }
    const back = this.#rootGone;
    if (back) {
      this.#rootGone = false;
      this.#log('info', 'config directory is back; reading it again', { dir: this.#root });
      full = true;
    }
    let changed = false;
    if (full) {
      const started = performance.now();
      changed = await this.#config.scan('');
      this.#rescanDelay = rescanDelay(this.#rescanMs, performance.now() - started);
    }
    else for (const p of dirty) changed = (await this.#config.recheck(p)) || changed;
    if (!changed && !back) return;
    // Taking in a large file and translating the result are two turns of the event loop, not one.
    await new Promise<void>((r) => setImmediate(r));
    this.#deliver();
  }

  #deliver(): void {
    if (this.#stopped || this.#push === undefined) return;
    const state = this.#config.state();
    // Log each problem once, when it appears, not on every reload.
    const lines = new Set(state.rejections.flatMap(formatRejection));
    for (const line of lines) if (!this.#reported.has(line)) this.#log('warn', `config rejected: ${line}`);
    this.#reported = lines;
    this.#log('info', 'config loaded', { dir: this.#root, resources: this.#config.resourceCount(), rejections: state.rejections.length });
    try {
      this.#push(state);
    } catch (err) {
      this.#log('error', 'config consumer failed', { error: (err as Error).message });
    }
  }
}

/** A rescan costs at most about 1% of the time between rescans, and waits no more than 30 s. */
export function rescanDelay(base: number, lastScanMs: number): number {
  return Math.max(base, Math.min(30_000, Math.round(lastScanMs * 100)));
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
