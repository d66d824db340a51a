// Combines the parsed files of a config directory into one SourceState. Files are taken in path
// order (UTF-16 code units), so when two documents define the same kind/namespace/name the first
// by path and document index wins everywhere and the others are rejected as duplicates.
//
// FileMerge keeps that combination up to date as files come and go: each file change touches
// only the objects that file defines, and state() reports what changed since the last state
// (SourceChanges), so a one-file edit among 10,000 files costs work for that file alone. The
// whole resource list is built only when someone reads it.
import { isDeepStrictEqual } from 'node:util';
import { formatOrigin } from '../api/format.ts';
import type { Origin, Rejection, Resource, Sourced } from '../api/types.ts';
import type { SourceChanges, SourceState } from './types.ts';
import type { ParsedFile } from './yaml-docs.ts';

// Per parsed file: the Sourced handed out for each of its documents, made once so an unchanged file
// yields the very same objects on every state (the store and the translator's cache rely on
// identity). Kept per file, not per document: a fifth of the entries.
const made = new WeakMap<ParsedFile, ReadonlyArray<Sourced | undefined>>();

/** The Sourced of each entry of a file (undefined for rejected and ignored documents). */
function sourcedOf(parsed: ParsedFile): ReadonlyArray<Sourced | undefined> {
  let m = made.get(parsed);
  if (m === undefined) {
    m = parsed.entries.map(({ origin, outcome }) => (outcome.kind === 'resource' ? { resource: outcome.resource, origin } : undefined));
    made.set(parsed, m);
  }
  return m;
}

/**
 * A re-read file's Sourced, made from the previous read's: a document whose content is unchanged
 * keeps its object (its resource too when it only moved), so an edit of one document among many
 * is a change of that one object, and the store and translator redo the work for it alone.
 */
function reuseUnchanged(parsed: ParsedFile, old: ParsedFile): void {
  if (made.has(parsed)) return;
  const oldDefs = sourcedOf(old);
  let previous: Map<string, Sourced> | undefined;
  const defs = parsed.entries.map((entry, i): Sourced | undefined => {
    const { origin, outcome } = entry;
    if (outcome.kind !== 'resource') return undefined;
    // The same entry at the same place (the per-document parse cache, doc-cache.ts, keeps them):
    // the same object, found without keying every document of a 50,000-document file.
    if (old.entries[i] === entry) return oldDefs[i];
    // An edited document where it was: its old version is at the same place, found without a map.
    const here = oldDefs[i];
    const key = resourceKey(outcome.resource);
    let was: Sourced | undefined;
    if (here !== undefined && keyOf(here) === key) was = here;
    else if (previous === undefined) {
      previous = new Map();
      for (const def of oldDefs) if (def !== undefined && !previous.has(keyOf(def))) previous.set(keyOf(def), def);
    }
    was ??= previous?.get(key);
    if (was === undefined || !isDeepStrictEqual(was.resource, outcome.resource)) return { resource: outcome.resource, origin };
    return sameOrigin(was.origin, origin) ? was : { resource: was.resource, origin };
  });
  made.set(parsed, defs);
}

function sameOrigin(a: Origin, b: Origin): boolean {
  return a.file === b.file && a.doc === b.doc && a.item === b.item && a.line === b.line && a.cluster === b.cluster;
}

/** `Kind namespace/name`: what two definitions of one object share. */
function keyOf(s: Sourced): string {
  return resourceKey(s.resource);
}

function resourceKey({ kind, metadata }: Resource): string {
  return `${kind} ${metadata.namespace ?? 'default'}/${metadata.name}`;
}

/** Sorts by UTF-16 code units, not locale, so the order is the same on every machine. */
export function sortPaths(paths: Iterable<string>): string[] {
  return [...paths].sort(comparePaths);
}

function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Definitions of one object are ordered by file, then document, then List item: the order of the
// entries in the files.
function compareDefs(a: Sourced, b: Sourced): number {
  return comparePaths(a.origin.file ?? '', b.origin.file ?? '') || (a.origin.doc ?? -1) - (b.origin.doc ?? -1) || (a.origin.item ?? -1) - (b.origin.item ?? -1);
}

/** The definitions of one object: one (the usual case, kept without a list) or several, first (used) first. */
type Defs = Sourced | readonly Sourced[];

function first(defs: Defs | undefined): Sourced | undefined {
  return defs === undefined ? undefined : Array.isArray(defs) ? (defs as readonly Sourced[])[0] : (defs as Sourced);
}

type FileList = Array<readonly [string, ParsedFile]>;

export class FileMerge {
  /** every file, sorted by path (binary search keeps it so) */
  #files: FileList = [];
  /** `Kind namespace/name` -> its definitions */
  readonly #defs = new Map<string, Defs>();
  /** keys defined more than once (their later definitions are duplicates) */
  readonly #multi = new Set<string>();
  /** files with at least one rejected document, or a failure */
  readonly #rejecting = new Set<string>();
  /** files that failed as a whole (file-failure.ts): what they hold is what they held before */
  readonly #failures = new Map<string, readonly Rejection[]>();
  /** keys whose definitions changed since the last state() -> the definition used then */
  readonly #before = new Map<string, Sourced | undefined>();
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
      const old = (this.#files[at] as readonly [string, ParsedFile])[1];
      reuseUnchanged(parsed, old);
      // Only definitions that are not the very same object at the same place are taken out and put
      // in again: an edit of one document among 50,000 touches one key, not 50,000. (One that moved
      // is taken out and put back: no change.)
      const was = sourcedOf(old);
      const now = sourcedOf(parsed);
      const out: Sourced[] = [];
      const into: Sourced[] = [];
      for (let i = 0; i < Math.max(was.length, now.length); i++) {
        const a = was[i];
        const b = now[i];
        if (a === b) continue;
        if (a !== undefined) out.push(a);
        if (b !== undefined) into.push(b);
      }
      this.#undefine(out);
      this.#files[at] = [path, parsed];
      this.#define(into);
    } else {
      this.#files.splice(~at, 0, [path, parsed]);
      this.#define(sourcedOf(parsed));
    }
    this.#failures.delete(path);
    if (parsed.entries.some((e) => e.outcome.kind === 'rejected')) this.#rejecting.add(path);
    else this.#rejecting.delete(path);
    this.#state = null;
  }

  /** Reports a file as failed, keeping what it holds now (add it with set() first if it is new). */
  fail(path: string, rejections: readonly Rejection[]): void {
    if (this.#find(path) < 0) return;
    this.#failures.set(path, rejections);
    this.#rejecting.add(path);
    this.#state = null;
  }

  delete(path: string): void {
    const at = this.#find(path);
    if (at < 0) return;
    this.#undefine(sourcedOf((this.#files[at] as readonly [string, ParsedFile])[1]));
    this.#files.splice(at, 1);
    this.#rejecting.delete(path);
    this.#failures.delete(path);
    this.#state = null;
  }

  /** The merged state; its `changes` lead from the state returned before (null the first time). */
  state(): SourceState {
    if (this.#state !== null) return this.#state;
    const upserted: Sourced[] = [];
    const removed: Sourced[] = [];
    for (const [key, before] of this.#before) {
      const now = first(this.#defs.get(key));
      if (before === now) continue;
      if (now === undefined) removed.push(before as Sourced);
      else upserted.push(now);
    }
    this.#before.clear();
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

  #define(defs: ReadonlyArray<Sourced | undefined>): void {
    for (const def of defs) {
      if (def === undefined) continue;
      const key = keyOf(def);
      const defs = this.#touch(key);
      if (defs === undefined) this.#defs.set(key, def);
      else {
        // A duplicate goes where file and document order put it.
        const list = Array.isArray(defs) ? [...(defs as readonly Sourced[])] : [defs as Sourced];
        let i = list.length;
        while (i > 0 && compareDefs(list[i - 1] as Sourced, def) > 0) i--;
        list.splice(i, 0, def);
        this.#defs.set(key, list);
        this.#multi.add(key);
      }
    }
  }

  #undefine(defs: ReadonlyArray<Sourced | undefined>): void {
    for (const def of defs) {
      if (def === undefined) continue;
      const key = keyOf(def);
      const defs = this.#touch(key);
      const rest = defs === undefined ? [] : Array.isArray(defs) ? (defs as readonly Sourced[]).filter((d) => d !== def) : defs === def ? [] : [defs as Sourced];
      if (rest.length === 0) this.#defs.delete(key);
      else this.#defs.set(key, rest.length === 1 ? (rest[0] as Sourced) : rest);
      if (rest.length < 2) this.#multi.delete(key);
    }
  }

  /** The definitions of `key`, noting the one used before the first change since the last state(). */
  #touch(key: string): Defs | undefined {
    const defs = this.#defs.get(key);
    if (!this.#before.has(key)) this.#before.set(key, first(defs));
    return defs;
  }

  // Rejected documents and duplicates, in path and document order. Only files that have one are
  // read: the files with rejected documents and those holding a later definition of a key.
  #rejections(): Rejection[] {
    const paths = new Set(this.#rejecting);
    for (const key of this.#multi) for (const d of (this.#defs.get(key) as readonly Sourced[]).slice(1)) paths.add(d.origin.file ?? '');
    const out: Rejection[] = [];
    for (const path of sortPaths(paths)) {
      const at = this.#find(path);
      if (at < 0) continue;
      const parsed = (this.#files[at] as readonly [string, ParsedFile])[1];
      out.push(...(this.#failures.get(path) ?? []));
      const defs = sourcedOf(parsed);
      parsed.entries.forEach(({ origin, outcome }, i) => {
        if (outcome.kind === 'rejected') {
          out.push(outcome.rejection);
          return;
        }
        const def = defs[i];
        if (def === undefined) return;
        const key = keyOf(def);
        const used = first(this.#defs.get(key));
        if (used === undefined || used === def) return;
        const { kind, metadata } = def.resource;
        const where = origin.item === undefined ? 'metadata.name' : `items[${origin.item}].metadata.name`;
        out.push({
          kind,
          // cluster-scoped kinds (GatewayClass, Namespace) have none
          namespace: metadata.namespace ?? '',
          name: metadata.name,
          origin,
          errors: [{ path: where, message: `duplicate ${metadata.namespace === undefined ? `${kind} ${metadata.name}` : key}: already defined in ${formatOrigin(used.origin)}` }],
        });
      });
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
    for (const def of sourcedOf(parsed)) {
      if (def === undefined) continue;
      const key = keyOf(def);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(def);
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
