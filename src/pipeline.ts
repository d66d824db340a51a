// sources -> store -> translate -> feed. Every push from the source is translated at once
// (sources debounce); a snapshot is published only when its content hash changed, so consumers
// see each distinct configuration exactly once, with an increasing version.
import type { Rejection } from './api/types.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './proxy/metrics.ts';
import { SettableFeed } from './snapshot/feed.ts';
import type { Snapshot, TranslateResult } from './snapshot/types.ts';
import type { Source, SourceState } from './sources/types.ts';
import { Store } from './store/store.ts';
import { TranslateCache } from './translate/cache.ts';
import type { TranslateOptions } from './translate/options.ts';
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
  #rejections: readonly Rejection[] = [];

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

  #apply(state: SourceState): void {
    this.#metrics?.reloads.inc();
    if (state.rejections.length > 0) this.#metrics?.rejects.inc(state.rejections.length);
    this.#rejections = state.rejections;
    for (const r of state.rejections) {
      this.#log.warn({ origin: r.origin, kind: r.kind, name: r.name, namespace: r.namespace, errors: r.errors }, 'rejected document');
    }
    let result: TranslateResult;
    try {
      result = translate(this.#store.update(state), this.#options, this.#cache);
    } catch (err) {
      // A translator bug must not take down the gateway: keep serving the last good snapshot.
      this.#log.error({ err }, 'translation failed; keeping the last good configuration');
      return;
    }
    this.#lastResult = result;
    for (const d of result.diagnostics) this.#log[d.level === 'error' ? 'error' : 'warn']({ subject: d.subject }, d.message);
    if (result.snapshot.hash === this.#lastHash && this.feed.current()) {
      // Same routes, but statuses may differ (an invalid edit keeps the last good spec serving).
      this.feed.publishStatuses(result.statuses);
      return;
    }
    this.#lastHash = result.snapshot.hash;
    const snapshot: Snapshot = Object.freeze({ ...result.snapshot, version: ++this.#version });
    this.#metrics?.snapshotVersion.set(snapshot.version);
    this.feed.publish(snapshot, result);
    this.#log.info({ version: snapshot.version, ingresses: snapshot.ingresses.length, clusters: snapshot.clusters.length }, 'serving configuration');
  }
}
