// Combines the parsed files of a config directory into one SourceState. Files are taken in path
// order (UTF-16 code units), so when two documents define the same kind/namespace/name the first
// by path and document index wins everywhere and the others are rejected as duplicates.
//
// FileMerge keeps that combination up to date as files come and go: each file change touches
// only the objects that file defines, and state() reports what changed since the last state
// (SourceChanges), so a one-file edit among 10,000 files costs work for that file alone. The
// whole resource list is built only when someone reads it.
import { formatOrigin } from '../api/format.ts';
import type { Rejection, Sourced } from '../api/types.ts';
import type { SourceChanges, SourceState } from './types.ts';
import type { DocEntry, ParsedFile } from './yaml-docs.ts';

// Per document: the Sourced handed out and its identity key, made once per parsed document so an
// unchanged file yields the very same objects on every state (the store and the translator's
// cache rely on identity).
interface Made {
  readonly sourced: Sourced;
  /** `Kind namespace/name` */
  readonly key: string;
}
const made = new WeakMap<DocEntry, Made>();

function sourcedOf(entry: DocEntry): Made | undefined {
  const { origin, outcome } = entry;
  if (outcome.kind !== 'resource') return undefined;
  let m = made.get(entry);
  if (m === undefined) {
    const { kind, metadata } = outcome.resource;
    m = { sourced: { resource: outcome.resource, origin }, key: `${kind} ${metadata.namespace ?? 'default'}/${metadata.name}` };
    made.set(entry, m);
  }
  return m;
}

/** Sorts by UTF-16 code units, not locale, so the order is the same on every machine. */
export function sortPaths(paths: Iterable<string>): string[] {
  return [...paths].sort(comparePaths);
}

function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One definition of an object: the file, the entry's index in it, and what it made. */
interface Def {
  readonly path: string;
  readonly index: number;
  readonly sourced: Sourced;
}

function compareDefs(a: Def, b: Def): number {
  return comparePaths(a.path, b.path) || a.index - b.index;
}

type FileList = Array<readonly [string, ParsedFile]>;

export class FileMerge {
  /** every file, sorted by path (binary search keeps it so) */
  #files: FileList = [];
  /** `Kind namespace/name` -> its definitions, first (the one used) first */
  readonly #defs = new Map<string, Def[]>();
  /** keys defined more than once (their later definitions are duplicates) */
  readonly #multi = new Set<string>();
  /** files with at least one rejected document */
  readonly #rejecting = new Set<string>();
  /** keys whose definitions changed since the last state() */
  readonly #touched = new Set<string>();
  /** the definition used for each key, as of the last state() */
  readonly #used = new Map<string, Sourced>();
  #state: SourceState | null = null;
  #previous: SourceState | null = null;

  /** How many resources the current state holds (without building the list). */
  get size(): number {
    return this.#defs.size;
  }

  /** Adds or replaces one file. */
  set(path: string, parsed: ParsedFile): void {
    const at = this.#find(path);
    if (at >= 0) {
      this.#undefine(path, (this.#files[at] as readonly [string, ParsedFile])[1]);
      this.#files[at] = [path, parsed];
    } else {
      this.#files.splice(~at, 0, [path, parsed]);
    }
    this.#define(path, parsed);
    if (parsed.entries.some((e) => e.outcome.kind === 'rejected')) this.#rejecting.add(path);
    else this.#rejecting.delete(path);
    this.#state = null;
  }

  delete(path: string): void {
    const at = this.#find(path);
    if (at < 0) return;
    this.#undefine(path, (this.#files[at] as readonly [string, ParsedFile])[1]);
    this.#files.splice(at, 1);
    this.#rejecting.delete(path);
    this.#state = null;
  }

  /** The merged state; its `changes` lead from the state returned before (null the first time). */
  state(): SourceState {
    if (this.#state !== null) return this.#state;
    const upserted: Sourced[] = [];
    const removed: Sourced[] = [];
    for (const key of this.#touched) {
      const before = this.#used.get(key);
      const now = this.#defs.get(key)?.[0]?.sourced;
      if (before === now) continue;
      if (now === undefined) {
        this.#used.delete(key);
        removed.push(before as Sourced);
      } else {
        this.#used.set(key, now);
        upserted.push(now);
      }
    }
    this.#touched.clear();
    const changes: SourceChanges = Object.freeze({ since: this.#previous && new WeakRef(this.#previous), upserted: Object.freeze(upserted), removed: Object.freeze(removed) });
    this.#state = lazyState(this.#files.slice(), Object.freeze(this.#rejections()), changes);
    this.#previous = this.#state;
    return this.#state;
  }

  /** Binary search: the index of `path`, or the bitwise complement of where it would go. */
  #find(path: string): number {
    let lo = 0;
    let hi = this.#files.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = comparePaths((this.#files[mid] as readonly [string, ParsedFile])[0], path);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return ~lo;
  }

  #define(path: string, parsed: ParsedFile): void {
    parsed.entries.forEach((entry, index) => {
      const m = sourcedOf(entry);
      if (m === undefined) return;
      const def: Def = { path, index, sourced: m.sourced };
      const list = this.#defs.get(m.key);
      if (list === undefined) this.#defs.set(m.key, [def]);
      else {
        // Usually one definition; a duplicate goes where path order puts it.
        let i = list.length;
        while (i > 0 && compareDefs(list[i - 1] as Def, def) > 0) i--;
        list.splice(i, 0, def);
        this.#multi.add(m.key);
      }
      this.#touched.add(m.key);
    });
  }

  #undefine(path: string, parsed: ParsedFile): void {
    for (const entry of parsed.entries) {
      const m = sourcedOf(entry);
      if (m === undefined) continue;
      const list = this.#defs.get(m.key);
      if (list === undefined) continue;
      const rest = list.filter((d) => d.path !== path);
      if (rest.length === 0) this.#defs.delete(m.key);
      else this.#defs.set(m.key, rest);
      if (rest.length < 2) this.#multi.delete(m.key);
      this.#touched.add(m.key);
    }
  }

  // Rejected documents and duplicates, in path and document order. Only files that have one are
  // read: the files with rejected documents and those holding a later definition of a key.
  #rejections(): Rejection[] {
    const paths = new Set(this.#rejecting);
    for (const key of this.#multi) for (const d of (this.#defs.get(key) as Def[]).slice(1)) paths.add(d.path);
    const out: Rejection[] = [];
    for (const path of sortPaths(paths)) {
      const at = this.#find(path);
      if (at < 0) continue;
      for (const entry of (this.#files[at] as readonly [string, ParsedFile])[1].entries) {
        const { origin, outcome } = entry;
        if (outcome.kind === 'rejected') {
          out.push(outcome.rejection);
          continue;
        }
        const m = sourcedOf(entry);
        const first = m && (this.#defs.get(m.key) as Def[])[0];
        if (m === undefined || first === undefined || first.sourced === m.sourced || outcome.kind !== 'resource') continue;
        const { kind, metadata } = outcome.resource;
        const where = origin.item === undefined ? 'metadata.name' : `items[${origin.item}].metadata.name`;
        out.push({
          kind,
          namespace: metadata.namespace ?? 'default',
          name: metadata.name,
          origin,
          errors: [{ path: where, message: `duplicate ${m.key}: already defined in ${formatOrigin(first.sourced.origin)}` }],
        });
      }
    }
    return out;
  }
}

// A state whose resource list is made on first read, from the files as they were when the state
// was taken (the list of files is copied; parsed files are never changed in place).
function lazyState(files: FileList, rejections: readonly Rejection[], changes: SourceChanges): SourceState {
  let resources: readonly Sourced[] | undefined;
  return Object.freeze({
    get resources(): readonly Sourced[] {
      return (resources ??= resourcesOf(files));
    },
    rejections,
    changes,
  });
}

/** The first definition of each object, in path and document order. */
function resourcesOf(files: FileList): readonly Sourced[] {
  const out: Sourced[] = [];
  const seen = new Set<string>();
  for (const [, parsed] of files) {
    for (const entry of parsed.entries) {
      const m = sourcedOf(entry);
      if (m === undefined || seen.has(m.key)) continue;
      seen.add(m.key);
      out.push(m.sourced);
    }
  }
  return Object.freeze(out);
}

/** The state of a set of files at once (pure: the same files give the same state, whatever their order). */
export function mergeParsedFiles(files: Iterable<readonly [string, ParsedFile]>): SourceState {
  const merge = new FileMerge();
  for (const [path, parsed] of files) merge.set(path, parsed);
  const state = merge.state();
  return Object.freeze({ resources: state.resources, rejections: state.rejections });
}
