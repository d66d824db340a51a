// sources -> store -> translate -> feed. Every push from the source is translated at once
// (sources debounce); a snapshot is published only when its content hash changed, so consumers
// see each distinct configuration exactly once, with an increasing version. The store and the
// translator work by difference (SourceState.changes, ResourceSet.changes), so at 10,000 ingresses
// an edit costs work in proportion to the edit. Problems are logged once, when they appear, not
// again on every push (thousands of warnings per edit would cost more than the edit).
import type { Rejection } from './api/types.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { SettableFeed } from './snapshot/feed.ts';
import { DiffsSincePublished } from './snapshot/since-published.ts';
import type { Diagnostic, Snapshot, TranslateResult } from './snapshot/types.ts';
import type { Source, SourceState } from './sources/types.ts';
import { Store } from './store/store.ts';
import type { ResourceSet } from './store/types.ts';
import { TranslateCache } from './translate/cache.ts';
import type { TranslateOptions } from './translate/options.ts';
import type { TranslationReport } from './observe/trace-export.ts';
import { translate } from './translate/translate.ts';

export class Pipeline {
  readonly feed: SettableFeed;
  readonly #store = new Store();
  // Translations of unchanged ingresses are reused from one push to the next (translate/cache.ts).
  readonly #cache = new TranslateCache();
  readonly #source: Source;
  readonly #options: TranslateOptions;
  readonly #log: Logger;
  readonly #metrics: Metrics | undefined;
  #version = 0;
  #lastHash = '';
  #lastResult: TranslateResult | undefined;
  /** the translator's list diffs since the snapshot last published, handed to consumers with the next one */
  readonly #diffs = new DiffsSincePublished();
  #rejections: readonly Rejection[] = [];
  /** the rejections and diagnostics logged so far and still present (see #logNew) */
  #logged = new Set<string>();
  #loggedLists: readonly [readonly Rejection[], readonly Diagnostic[]] | [] = [];
  /** told of each translation, for its control-plane span (--tracing-otlp-endpoint); usually undefined */
  onTranslated: ((t: TranslationReport) => void) | undefined = undefined;

  constructor(source: Source, options: TranslateOptions, log: Logger, metrics?: Metrics) {
    this.#source = source;
    this.#options = options;
    this.#log = log;
    this.#metrics = metrics;
    this.feed = new SettableFeed((err) => log.error({ err }, 'a snapshot consumer failed'));
  }

  /** Resolves once the first full read of the source is being served. */
  async start(): Promise<void> {
    await this.#source.start((state) => this.#apply(state));
  }

  async stop(): Promise<void> {
    await this.#source.stop();
  }

  get rejections(): readonly Rejection[] {
    return this.#rejections;
  }

  get result(): TranslateResult | undefined {
    return this.#lastResult;
  }

  /** The resources last translated (the admin endpoint's /upstreams reads them). */
  get resources(): ResourceSet {
    return this.#store.current();
  }

  /** Logs the rejections and diagnostics that were not there at the last push. */
  #logNew(rejections: readonly Rejection[], diagnostics: readonly Diagnostic[]): void {
    // The translator hands back the same lists when nothing changed in them.
    if (rejections === this.#loggedLists[0] && diagnostics === this.#loggedLists[1]) return;
    this.#loggedLists = [rejections, diagnostics];
    const now = new Set<string>();
    for (const r of rejections) {
      const line = JSON.stringify(['rejected', r.origin, r.kind, r.namespace, r.name, r.errors]);
      now.add(line);
      if (!this.#logged.has(line)) this.#log.warn({ origin: r.origin, kind: r.kind, name: r.name, namespace: r.namespace, errors: r.errors }, 'rejected document');
    }
    for (const d of diagnostics) {
      const line = JSON.stringify([d.level, d.subject, d.message]);
      now.add(line);
      if (!this.#logged.has(line)) this.#log[d.level === 'error' ? 'error' : 'warn']({ subject: d.subject }, d.message);
    }
    this.#logged = now;
  }

  #apply(state: SourceState): void {
    const startedAt = performance.now();
    const report = this.onTranslated;
    this.#metrics?.reloads.inc();
    if (state.rejections.length > 0) this.#metrics?.rejects.inc(state.rejections.length);
    this.#rejections = state.rejections;
    let result: TranslateResult;
    try {
      result = translate(this.#store.update(state), this.#options, this.#cache);
    } catch (err) {
      // A translator bug must not take down the gateway: keep serving the last good snapshot.
      this.#log.error({ err }, 'translation failed; keeping the last good configuration');
      this.#logNew(state.rejections, this.#lastResult?.diagnostics ?? []);
      report?.({ startedAt, endedAt: performance.now(), version: undefined, rejected: state.rejections.length, error: err instanceof Error ? err.message : String(err) });
      return;
    }
    this.#lastResult = result;
    this.#diffs.translated(result);
    this.#logNew(state.rejections, result.diagnostics);
    if (result.snapshot.hash === this.#lastHash && this.feed.current()) {
      // Same routes, but statuses may differ (an invalid edit keeps the last good spec serving).
      this.feed.publishStatuses(result.statuses);
      report?.({ startedAt, endedAt: performance.now(), version: undefined, rejected: state.rejections.length });
      return;
    }
    this.#lastHash = result.snapshot.hash;
    const snapshot: Snapshot = Object.freeze({ ...result.snapshot, version: ++this.#version });
    this.#metrics?.snapshotVersion.set(snapshot.version);
    this.feed.publish(snapshot, result, this.#diffs.publishing());
    this.#log.info({ version: snapshot.version, ingresses: snapshot.ingresses.length, clusters: snapshot.clusters.length }, 'serving configuration');
    report?.({ startedAt, endedAt: performance.now(), version: snapshot.version, rejected: state.rejections.length, ingresses: snapshot.ingresses.length, clusters: snapshot.clusters.length });
  }
}
