// The publisher's side of SnapshotChange.diffs. The translator's diffs lead from its previous
// result, but a result whose content hash did not change is not published (pipeline.ts), so the
// next published snapshot may be several translations away from the one before it. This follows
// every result and folds their diffs into the diffs since the content last published.
import { foldDiffs, type SnapshotDiffs } from './change.ts';
import type { SnapshotContent, TranslateResult } from './types.ts';

const NONE = Object.freeze({ removed: Object.freeze([]), added: Object.freeze([]) });
const NO_DIFFS: SnapshotDiffs = Object.freeze({ clusters: NONE, external: NONE, local: NONE, ports: NONE, tls: NONE, ingresses: NONE });

export class DiffsSincePublished {
  /** the content last published, and the content last translated */
  #published: SnapshotContent | undefined;
  #latest: SnapshotContent | undefined;
  /** from #published to #latest (when they differ); undefined when not known */
  #diffs: SnapshotDiffs | undefined;

  /** Takes every translation's result, published or not. */
  translated(result: TranslateResult): void {
    const content = result.snapshot;
    // The translator hands back the very same result when nothing changed.
    if (content === this.#latest) return;
    const step = result.diffs !== undefined && this.#latest !== undefined && result.diffs.since === this.#latest ? result.diffs : undefined;
    if (step === undefined || this.#published === undefined) this.#diffs = undefined;
    else if (this.#latest === this.#published) this.#diffs = step;
    // Folded at once into one exact diff, so a run of unpublished translations (an Endpoints object
    // rewritten with the same addresses, again and again) never piles up.
    else if (this.#diffs !== undefined) this.#diffs = foldDiffs(this.#published, content, [this.#diffs, step]);
    this.#latest = content;
  }

  /** The diffs for publishing the content last translated, which from now on is the published one. */
  publishing(): SnapshotDiffs | undefined {
    const known = this.#published === undefined ? undefined : this.#latest === this.#published ? NO_DIFFS : this.#diffs;
    this.#published = this.#latest;
    this.#diffs = undefined;
    return known;
  }
}
