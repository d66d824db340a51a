// Gives the memory a large configuration load left behind back to the system, in a gateway process.
//
// Loading thousands of resources leaves garbage in V8's old generation (parsed text, superseded
// hash tables, translation scratch) that V8 collects only when the old generation reaches its next
// limit, and its memory reducer, which would collect it when the process goes quiet, may not run
// for a long time; pages it frees stay resident until then. So after a snapshot is published, when
// the old generation has grown by a large share since the last collection (the first load, a large
// reload; not a small edit), one full collection runs, once the gateway is quiet (its pause would
// stall every request in flight).
//
// The young generation grows to its largest size during the load (V8 grows it when many objects
// survive) and V8 shrinks it only at a collection that sees a low allocation rate over the last
// seconds. So after a large load, once the process has been quiet for a while (the event loop
// mostly idle), two young-generation collections six seconds apart run: the first gives V8 a
// fresh allocation sample, the second sees the quiet and shrinks the young generation. Traffic
// grows it again as V8 sees fit.
//
// The collector comes from V8's gc extension, made available for one new vm context only (see
// v8Collector): no `gc` is put on the gateway's global object.
import v8 from 'node:v8';
import { performance } from 'node:perf_hooks';
import { runInNewContext } from 'node:vm';
import { YoungCap } from './young-cap.ts';

export type HeapCollect = (kind: 'full' | 'young') => void;

export interface HeapReleaseOptions {
  /** runs a collection (default: v8Collector({ compact: true })) */
  readonly collect?: HeapCollect;
  /** bytes used in the old generation (default: V8's old and large-object spaces) */
  readonly oldGenerationUsed?: () => number;
  /**
   * makes a sampler of the event loop's busy share, 0..1, since that sampler's previous call
   * (default: performance.eventLoopUtilization); the full collection's check and the quiet watch
   * each have their own, so that each one's window runs from its own previous look
   */
  readonly busySampler?: () => () => number;
  /** growth since the last collection that calls for one: max(minGrowthBytes, growthShare × what was live) */
  readonly minGrowthBytes?: number;
  readonly growthShare?: number;
  /** how long after a snapshot is published the heap is looked at (default 1000 ms) */
  readonly settleMs?: number;
  /**
   * how often quiet is looked for after a large load (default 6000 ms): V8 judges the allocation
   * rate over the last 5 s of its samples, and a collection is one, so the young collection that
   * shrinks must come more than 5 s after the one before
   */
  readonly quietCheckMs?: number;
  /** the young generation's cap during the first load (young-cap.ts), lifted at the first look after it */
  readonly youngCap?: { lift(): void };
}

/**
 * V8's own collections, through the gc extension enabled for one vm context and disabled again.
 * `compact`: a full collection also moves the live objects out of sparse pages, which are then given
 * back. A plain one frees only pages left empty: after thousands of objects were replaced one by one
 * (a Kubernetes leader's status writes), most old-generation pages keep a few live objects, and the
 * free space between them stays resident. Compacting costs about twice a plain collection's pause.
 */
export function v8Collector(o: { readonly compact?: boolean } = {}): HeapCollect {
  // Node 20's V8 takes `{ type: 'minor' }` but runs a young collection for `{ type: 'major' }` too:
  // a full collection is the call without options.
  type Gc = (options?: { type: 'minor' }) => void;
  const own = (globalThis as { gc?: Gc }).gc;
  let gc: Gc;
  if (typeof own === 'function') gc = own;
  else {
    v8.setFlagsFromString('--expose-gc');
    try {
      gc = runInNewContext('gc') as Gc;
    } finally {
      v8.setFlagsFromString('--no-expose-gc');
    }
  }
  if (!o.compact) return (kind) => (kind === 'young' ? gc({ type: 'minor' }) : gc());
  return (kind) => {
    if (kind === 'young') return gc({ type: 'minor' });
    v8.setFlagsFromString('--compact-on-every-full-gc');
    try {
      gc();
    } finally {
      v8.setFlagsFromString('--no-compact-on-every-full-gc');
    }
  };
}

function v8OldGenerationUsed(): number {
  let used = 0;
  for (const s of v8.getHeapSpaceStatistics()) if (s.space_name === 'old_space' || s.space_name === 'large_object_space') used += s.space_used_size;
  return used;
}

function eventLoopBusy(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(now, last);
    last = now;
    return delta.utilization;
  };
}

/** Below this share of busy event loop, the process counts as quiet. */
const QUIET_BUSY = 0.05;

export class HeapRelease {
  readonly #collect: HeapCollect;
  readonly #oldUsed: () => number;
  /** the full collection's window: from its previous look (or the snapshot published) */
  readonly #busy: () => number;
  /** the quiet watch's window: from its previous tick */
  readonly #quietBusy: () => number;
  readonly #minGrowth: number;
  readonly #share: number;
  readonly #quietMs: number;
  readonly #settleMs: number;
  readonly #youngCap: { lift(): void } | undefined;
  /** the old generation's use after the last full collection (or the lowest seen since) */
  #live: number;
  #pending: NodeJS.Timeout | undefined;
  #quietTimer: NodeJS.Timeout | undefined;
  /** young collections run in the current quiet spell (2: the young generation was shrunk) */
  #quietSteps = 0;
  #stopped = false;
  /** collections run, by kind (for tests and diagnostics) */
  readonly runs = { full: 0, young: 0 };

  constructor(o: HeapReleaseOptions = {}) {
    this.#collect = o.collect ?? v8Collector({ compact: true });
    this.#oldUsed = o.oldGenerationUsed ?? v8OldGenerationUsed;
    const sampler = o.busySampler ?? eventLoopBusy;
    this.#busy = sampler();
    this.#quietBusy = sampler();
    this.#minGrowth = o.minGrowthBytes ?? 32 * 1024 * 1024;
    this.#share = o.growthShare ?? 0.25;
    this.#quietMs = o.quietCheckMs ?? 6000;
    this.#settleMs = o.settleMs ?? 1000;
    this.#youngCap = o.youngCap;
    this.#live = this.#oldUsed();
  }

  /**
   * After a snapshot was published: looks at the heap a little later, once its consumers are done
   * and what the load held only until then (the source's first read, the previous snapshot) is let go.
   */
  published(): void {
    if (this.#stopped || this.#pending !== undefined) return;
    // The quiet check covers the settle time, not the load before it.
    this.#busy();
    this.#lookLater();
  }

  #lookLater(): void {
    this.#pending = setTimeout(() => {
      this.#pending = undefined;
      this.check();
    }, this.#settleMs);
    this.#pending.unref();
  }

  /** Runs a full collection if the old generation grew by a large share since the last one. */
  check(): void {
    if (this.#stopped) return;
    this.#youngCap?.lift();
    const used = this.#oldUsed();
    // V8 may have collected on its own since: what is live now is at most what is used.
    if (used < this.#live) this.#live = used;
    if (used - this.#live < Math.max(this.#minGrowth, this.#share * this.#live)) return;
    // A full collection stops the loop for as long as it marks the live heap (hundreds of ms at tens
    // of thousands of routes): never while requests are being served; look again later.
    if (this.#busy() >= QUIET_BUSY) {
      if (this.#pending === undefined && !this.#stopped) this.#lookLater();
      return;
    }
    this.#collect('full');
    this.runs.full++;
    this.#live = this.#oldUsed();
    this.#watchForQuiet();
  }

  #watchForQuiet(): void {
    this.#quietSteps = 0;
    this.#quietBusy();
    if (this.#quietTimer !== undefined) return;
    this.#quietTimer = setInterval(() => this.quietTick(), this.#quietMs);
    this.#quietTimer.unref();
  }

  /** One look for quiet (the timer's; tests call it directly). */
  quietTick(): void {
    if (this.#quietTimer === undefined) return;
    if (this.#quietBusy() >= QUIET_BUSY) {
      this.#quietSteps = 0;
      return;
    }
    this.#collect('young');
    this.runs.young++;
    if (++this.#quietSteps < 2) return;
    clearInterval(this.#quietTimer);
    this.#quietTimer = undefined;
  }

  stop(): void {
    this.#stopped = true;
    this.#youngCap?.lift();
    if (this.#pending !== undefined) clearTimeout(this.#pending);
    if (this.#quietTimer !== undefined) clearInterval(this.#quietTimer);
    this.#pending = undefined;
    this.#quietTimer = undefined;
  }
}

/**
 * Follows a feed: the release looks at the heap after each snapshot, starting with the current one.
 * Make the release before the first load, so that the load counts as growth.
 */
export function releaseHeapAfterLoads(release: HeapRelease, feed: { subscribe(listener: () => void): () => void }): () => void {
  const unsubscribe = feed.subscribe(() => release.published());
  release.published();
  return () => {
    unsubscribe();
    release.stop();
  };
}

/**
 * A gateway process's heap release, wired as serve, primary and worker each use it: made before the
 * first load (so that the load counts as the heap's growth), with the young generation capped until
 * its first look (young-cap.ts); then it follows the process's feed, until the process stops.
 */
export class GatewayHeapRelease {
  readonly #release: HeapRelease;
  #unfollow: (() => void) | undefined;

  constructor(release: HeapRelease = new HeapRelease({ youngCap: new YoungCap() })) {
    this.#release = release;
  }

  /** Looks at the heap after the feed's current snapshot and each one published (releaseHeapAfterLoads). */
  follow(feed: { subscribe(listener: () => void): () => void }): void {
    this.#unfollow?.();
    this.#unfollow = releaseHeapAfterLoads(this.#release, feed);
  }

  /** Something else left garbage as a load does (the leader's probes and status writes, once settled). */
  published(): void {
    this.#release.published();
  }

  /** Unsubscribes and stops the release (before follow(), there is nothing to stop: no timer runs). */
  stop(): void {
    this.#unfollow?.();
    this.#unfollow = undefined;
  }
}
