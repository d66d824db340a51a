// The last configuration versions served, each with when it was served and what changed, for the
// status page. Follows the feed from when the admin endpoint starts.
import type { SnapshotFeed } from '../snapshot/feed.ts';
import type { SnapshotChange } from '../snapshot/change.ts';
import type { Snapshot } from '../snapshot/types.ts';
import { type ChangeSummary, type NamedChanges, RouteOwners, summarizeChange, summarizeEdit } from './ui-diff.ts';

export interface VersionEntry {
  readonly version: number;
  readonly hash: string;
  /** ISO time it was served (or first seen, for the version served when the history started) */
  readonly at: string;
  readonly changes: ChangeSummary;
}

/** Names shown per list of a change; the page says how many more there were. */
const NAMES_KEPT = 50;

/**
 * A summary made by walking the whole table (the first version, or a change without usable diffs)
 * waits this long, or until the page is read or the next version comes: at a cold start of 10,000
 * apps the walk took 60-200 ms of the turn that serves the first snapshot.
 */
const WHOLE_SUMMARY_DELAY_MS = 1000;

/** An entry whose changes may still be to summarize (`deferred`). */
type Entry = Omit<VersionEntry, 'changes'> & { changes: ChangeSummary | undefined };

export class ConfigHistory {
  readonly #entries: Entry[] = [];
  readonly #keep: number;
  readonly #unsubscribe: () => void;
  /** who has routes in the last snapshot seen, so that an edit's summary reads only what it touched */
  #owners: RouteOwners | undefined;
  #seen: Snapshot | undefined;
  /** the entry whose whole-table summary waits, with the change it summarizes */
  #deferred: { readonly entry: Entry; readonly change: SnapshotChange; readonly timer: NodeJS.Timeout } | undefined;

  constructor(feed: SnapshotFeed, keep = 20, now: () => Date = () => new Date()) {
    this.#keep = keep;
    const current = feed.current();
    if (current !== undefined) this.#add({ snapshot: current, previous: undefined, diffs: undefined }, now());
    this.#unsubscribe = feed.subscribe((change) => this.#add(change, now()));
  }

  /** newest first */
  entries(): readonly VersionEntry[] {
    this.#settle();
    return [...this.#entries].reverse() as VersionEntry[];
  }

  stop(): void {
    this.#unsubscribe();
    if (this.#deferred !== undefined) clearTimeout(this.#deferred.timer);
  }

  #add(change: SnapshotChange, at: Date): void {
    this.#settle();
    const snapshot = change.snapshot;
    const entry: Entry = { version: snapshot.version, hash: snapshot.hash, at: at.toISOString(), changes: undefined };
    const { previous, diffs } = change;
    if (previous !== undefined && diffs !== undefined && this.#owners !== undefined && this.#seen === previous) {
      this.#seen = snapshot;
      entry.changes = capped(summarizeEdit(previous, snapshot, diffs, this.#owners));
    } else {
      this.#seen = snapshot;
      this.#owners = undefined;
      const timer = setTimeout(() => this.#settle(), WHOLE_SUMMARY_DELAY_MS);
      timer.unref();
      this.#deferred = { entry, change, timer };
    }
    this.#entries.push(entry);
    if (this.#entries.length > this.#keep) this.#entries.shift();
  }

  /** Makes the waiting whole-table summary, and the owners of the snapshot it leads to. */
  #settle(): void {
    const d = this.#deferred;
    if (d === undefined) return;
    this.#deferred = undefined;
    clearTimeout(d.timer);
    d.entry.changes = capped(summarizeChange(d.change.previous, d.change.snapshot));
    // Only when that snapshot is still the last one seen: a later version brought its own owners.
    if (this.#seen === d.change.snapshot) this.#owners = RouteOwners.of(d.change.snapshot);
  }
}

function capped(c: ChangeSummary): ChangeSummary {
  const cap = (l: readonly string[]) => l.slice(0, NAMES_KEPT);
  const one = (n: NamedChanges): NamedChanges => ({ added: cap(n.added), removed: cap(n.removed), changed: cap(n.changed), counts: [n.added.length, n.removed.length, n.changed.length] });
  return { routes: one(c.routes), clusters: one(c.clusters) };
}
