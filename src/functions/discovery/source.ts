// Function discovery at the configuration's edge: a Source that passes its inner source's states
// through, with each discovery-enabled Upstream amended by what its service was found to offer
// (overlay.ts). Discovery runs in the background once the Upstream's cluster has endpoints, retries
// with backoff, and never holds up a push: an Upstream is served as written until its functions
// are found, then pushed again as a change of that one resource.
import type { Sourced } from '../../api/types.ts';
import type { Logger } from '../../log.ts';
import type { Endpoint } from '../../snapshot/types.ts';
import type { Source, SourceState } from '../../sources/types.ts';
import { type Discovered, type DiscoveryTarget, discoveryTargets, withDiscovered } from './overlay.ts';

/** Runs one discovery against one endpoint; never throws (failures are values). */
export type Discover = (target: DiscoveryTarget, at: Endpoint) => Promise<{ ok: true; found: Discovered } | { ok: false; error: string }>;

/** One Upstream's discovery, as `/status` shows it. */
export interface DiscoveryReport {
  readonly upstream: string;
  readonly how: 'grpc' | 'openapi';
  readonly state: 'waiting-for-endpoints' | 'discovering' | 'found' | 'failed';
  readonly functions: readonly string[];
  readonly error?: string;
  /** failed attempts since the last success */
  readonly attempts: number;
}

interface Entry {
  target: DiscoveryTarget;
  state: DiscoveryReport['state'];
  found?: Discovered;
  error?: string;
  attempts: number;
  timer?: NodeJS.Timeout;
  running: boolean;
}

const MIN_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 60_000;

export class DiscoveringSource implements Source {
  readonly #inner: Source;
  readonly #discover: Discover;
  readonly #log: Logger | undefined;
  #endpoints: (key: string) => readonly Endpoint[] = () => [];
  #push: ((state: SourceState) => void) | undefined;
  #last: SourceState | undefined;
  readonly #entries = new Map<string, Entry>();
  #stopped = false;

  constructor(inner: Source, discover: Discover, log?: Logger) {
    this.#inner = inner;
    this.#discover = discover;
    this.#log = log;
  }

  /** Where discovery finds an Upstream's endpoints: its cluster in the served snapshot. */
  endpointsFrom(lookup: (upstreamKey: string) => readonly Endpoint[]): void {
    this.#endpoints = lookup;
  }

  /** Looks again at every Upstream waiting for endpoints (call on each new snapshot). */
  poke(): void {
    for (const e of this.#entries.values()) if (e.state === 'waiting-for-endpoints') this.#run(e);
  }

  reports(): DiscoveryReport[] {
    return [...this.#entries.values()]
      .map((e) => ({
        upstream: e.target.key,
        how: e.target.how,
        state: e.state,
        functions: (e.found?.functions ?? []).map((f) => f.name),
        ...(e.error !== undefined && { error: e.error }),
        attempts: e.attempts,
      }))
      .sort((a, b) => (a.upstream < b.upstream ? -1 : a.upstream > b.upstream ? 1 : 0));
  }

  start(push: (state: SourceState) => void): Promise<void> {
    this.#push = push;
    return this.#inner.start((state) => this.#onState(state));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const e of this.#entries.values()) clearTimeout(e.timer);
    await this.#inner.stop();
  }

  #onState(state: SourceState): void {
    this.#last = state;
    const had = this.#entries.size > 0;
    // Upstreams are few: finding them costs a pass over the resources, or over the changes when the
    // source says what changed and nothing is being discovered. A Namespace's label enables its Upstreams.
    if (had || state.changes === undefined || [...state.changes.upserted, ...state.changes.removed].some(affectsTargets)) this.#track(state.resources);
    // Nothing discovered: the state as it is, changes and all (the store's incremental path).
    if (!had && this.#entries.size === 0) return this.#emit(state);
    // Otherwise a full state: the store diffs what the overlay changed.
    this.#emit({ resources: this.#amend(state.resources), rejections: state.rejections });
  }

  #emit(state: SourceState): void {
    this.#push?.(state);
  }

  #amend(resources: readonly Sourced[]): Sourced[] {
    if (this.#entries.size === 0) return resources as Sourced[];
    return resources.map((r) => {
      if (r.resource.kind !== 'Upstream') return r;
      const e = this.#entries.get(`${r.resource.metadata.namespace ?? 'default'}/${r.resource.metadata.name}`);
      return e?.found !== undefined ? withDiscovered(r, e.found) : r;
    });
  }

  /** Starts discovery for new or edited targets; forgets those no longer there. */
  #track(resources: readonly Sourced[]): void {
    const targets = discoveryTargets(resources);
    const keep = new Set(targets.map((t) => t.key));
    for (const [key, e] of this.#entries) {
      if (!keep.has(key)) {
        clearTimeout(e.timer);
        this.#entries.delete(key);
      }
    }
    for (const t of targets) {
      const e = this.#entries.get(t.key);
      if (e !== undefined && e.target.version === t.version) continue;
      if (e !== undefined) clearTimeout(e.timer);
      const entry: Entry = { target: t, state: 'waiting-for-endpoints', attempts: 0, running: false };
      this.#entries.set(t.key, entry);
      // After this push: the Upstream's cluster appears in the snapshot it makes.
      queueMicrotask(() => this.#run(entry));
    }
  }

  #run(e: Entry): void {
    if (this.#stopped || e.running || this.#entries.get(e.target.key) !== e) return;
    const at = this.#endpoints(e.target.key)[0];
    if (at === undefined) {
      e.state = 'waiting-for-endpoints';
      return;
    }
    e.running = true;
    e.state = 'discovering';
    void this.#discover(e.target, at).then(
      (r) => this.#settle(e, r),
      (err: unknown) => this.#settle(e, { ok: false, error: String(err) }),
    );
  }

  #settle(e: Entry, r: Awaited<ReturnType<Discover>>): void {
    e.running = false;
    if (this.#stopped || this.#entries.get(e.target.key) !== e) return;
    if (r.ok) {
      e.state = 'found';
      e.found = r.found;
      e.error = undefined;
      e.attempts = 0;
      this.#log?.info({ upstream: e.target.key, functions: r.found.functions.length }, 'functions discovered');
      if (this.#last !== undefined) this.#emit({ resources: this.#amend(this.#last.resources), rejections: this.#last.rejections });
      return;
    }
    e.state = 'failed';
    e.error = r.error;
    e.attempts += 1;
    const delay = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** (e.attempts - 1)) * (0.5 + Math.random() / 2);
    if (e.attempts === 1) this.#log?.warn({ upstream: e.target.key, error: r.error }, 'function discovery failed; retrying with backoff');
    e.timer = setTimeout(() => this.#run(e), delay);
    e.timer.unref();
  }
}

function affectsTargets(r: Sourced): boolean {
  return r.resource.kind === 'Upstream' || r.resource.kind === 'Namespace';
}
