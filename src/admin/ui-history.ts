// The last configuration versions served, each with when it was served and what changed, for the
// status page. Follows the feed from when the admin endpoint starts.
import type { SnapshotFeed } from '../snapshot/feed.ts';
import type { SnapshotChange } from '../snapshot/change.ts';
import { RouteOwners } from './ui-change.ts';
import type { ChangeSummary, NamedChanges } from './ui-diff.ts';

export interface VersionEntry {
  readonly version: number;
  readonly hash: string;
  /** ISO time it was served (or first seen, for the version served when the history started) */
  readonly at: string;
  readonly changes: ChangeSummary;
}

/** Names shown per list of a change; the page says how many more there were. */
const NAMES_KEPT = 50;

export class ConfigHistory {
  readonly #entries: VersionEntry[] = [];
  readonly #keep: number;
  readonly #unsubscribe: () => void;
  readonly #owners = new RouteOwners();

  constructor(feed: SnapshotFeed, keep = 20, now: () => Date = () => new Date()) {
    this.#keep = keep;
    const current = feed.current();
    if (current !== undefined) this.#add({ snapshot: current, previous: undefined, diffs: undefined }, now());
    this.#unsubscribe = feed.subscribe((change) => this.#add(change, now()));
  }

  /** newest first */
  entries(): readonly VersionEntry[] {
    return [...this.#entries].reverse();
  }

  stop(): void {
    this.#unsubscribe();
  }

  #add({ previous, snapshot, diffs }: SnapshotChange, at: Date): void {
    // From the translator's diffs when known: reading every route of both versions is an edit's cost at 10,000 ingresses.
    const c = this.#owners.summarize(previous, snapshot, diffs);
    const cap = (l: readonly string[]) => l.slice(0, NAMES_KEPT);
    const capped = (n: NamedChanges): NamedChanges => ({ added: cap(n.added), removed: cap(n.removed), changed: cap(n.changed), counts: [n.added.length, n.removed.length, n.changed.length] });
    this.#entries.push({ version: snapshot.version, hash: snapshot.hash, at: at.toISOString(), changes: { routes: capped(c.routes), clusters: capped(c.clusters) } });
    if (this.#entries.length > this.#keep) this.#entries.shift();
  }
}
