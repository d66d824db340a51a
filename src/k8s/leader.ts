// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does:
// - a candidate creates the Lease if it is missing, renews it while it holds it, and takes it over
//   when the holder has not renewed for a whole lease duration;
// - expiry is judged by when *we* last saw the Lease record change (local clock), not by the
//   renewTime written in it, so clock skew between nodes cannot cause two leaders;
// - every write names the resourceVersion it read, so two candidates racing get one 409;
// - a leader that cannot renew within the lease duration steps down before anyone else may take over;
// - on stop, the leader releases the Lease so a successor does not wait for expiry, and followers look
//   every second (not every retry period) so they notice a release within about a second.
import { KubeApiError, paths, type KubeClient } from './client.ts';

export interface LeaderOptions {
  readonly namespace: string;
  /** default `sluice-leader` */
  readonly name?: string;
  readonly identity: string;
  /** how long a lease is valid without renewal (default 15 s) */
  readonly leaseDurationMs?: number;
  /** how often the leader renews the Lease (default leaseDuration / 3) */
  readonly retryPeriodMs?: number;
  /** how often a follower looks at the Lease, to notice a release (default 1 s, never more than retryPeriodMs) */
  readonly followerPollMs?: number;
  readonly onStartedLeading?: () => void;
  readonly onStoppedLeading?: () => void;
  readonly onError?: (err: unknown) => void;
}

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
const microTime = (d: Date): string => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export class LeaderElector {
  readonly #client: KubeClient;
  readonly #opts: Required<Pick<LeaderOptions, 'name' | 'leaseDurationMs' | 'retryPeriodMs' | 'followerPollMs'>> & LeaderOptions;
  #leading = false;
  #stopped = true;
  #timer: NodeJS.Timeout | undefined;
  /** the record we last saw (holder + renewTime + rv) and when we saw it change */
  #observed = '';
  #observedAt = 0;
  #lastRenew = 0;
  #tick: Promise<void> = Promise.resolve();

  constructor(client: KubeClient, opts: LeaderOptions) {
    const leaseDurationMs = opts.leaseDurationMs ?? 15_000;
    this.#client = client;
    const retryPeriodMs = opts.retryPeriodMs ?? Math.max(100, Math.floor(leaseDurationMs / 3));
    this.#opts = { ...opts, name: opts.name ?? 'sluice-leader', leaseDurationMs, retryPeriodMs, followerPollMs: Math.min(opts.followerPollMs ?? 1000, retryPeriodMs) };
  }

  isLeader(): boolean {
    return this.#leading;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule(0);
  }

  /**
   * Stops campaigning. A leader releases the Lease (holder cleared) so another replica takes over at
   * once, unless `release` is false (then the others wait for it to expire, as after a crash).
   */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#tick;
    // An attempt that was in flight when stop() came may have acquired the Lease without #leading being set.
    const mayHold = this.#leading || this.#lastRenew > 0;
    this.#setLeading(false);
    if (!mayHold || options.release === false) return;
    try {
      const lease = await this.#client.get<Lease>(this.#path());
      if (lease.spec.holderIdentity === this.#opts.identity) {
        await this.#client.replace(this.#path(), { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1 } });
      }
    } catch (err) {
      this.#opts.onError?.(err);
    }
  }

  #path(): string {
    return paths.leases(this.#opts.namespace, this.#opts.name);
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      // One GET a second per follower: cheap, and a released Lease is picked up within about a second.
      this.#tick = this.#attempt().finally(() => this.#schedule(this.#leading ? this.#opts.retryPeriodMs : this.#opts.followerPollMs));
    }, ms);
  }

  #setLeading(leading: boolean): void {
    if (leading === this.#leading) return;
    this.#leading = leading;
    if (leading) this.#opts.onStartedLeading?.();
    else this.#opts.onStoppedLeading?.();
  }

  async #attempt(): Promise<void> {
    try {
      const ok = await this.#tryAcquireOrRenew();
      if (ok) this.#lastRenew = Date.now();
      if (this.#stopped) return;
      // Not ok: someone else holds a valid Lease, or won the race for it.
      this.#setLeading(ok);
    } catch (err) {
      this.#opts.onError?.(err);
      // Could not reach the API server: keep leading only while our last renewal is still valid.
      if (this.#leading && Date.now() - this.#lastRenew >= this.#opts.leaseDurationMs * 0.8) this.#setLeading(false);
    }
  }

  /** true when we hold the Lease after this attempt */
  async #tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    const durationSeconds = Math.max(1, Math.ceil(this.#opts.leaseDurationMs / 1000));
    let lease: Lease;
    try {
      lease = await this.#client.get<Lease>(this.#path());
    } catch (err) {
      if (!(err instanceof KubeApiError && err.status === 404)) throw err;
      const fresh: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.#opts.name, namespace: this.#opts.namespace },
        spec: { holderIdentity: this.#opts.identity, leaseDurationSeconds: durationSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 },
      };
      return this.#write(() => this.#client.create(paths.leases(this.#opts.namespace), fresh));
    }
    const record = `${lease.spec.holderIdentity}|${lease.spec.renewTime}|${lease.metadata.resourceVersion}`;
    if (record !== this.#observed) {
      this.#observed = record;
      this.#observedAt = Date.now();
    }
    const holder = lease.spec.holderIdentity ?? '';
    const mine = holder === this.#opts.identity;
    const heldMs = (lease.spec.leaseDurationSeconds ?? durationSeconds) * 1000;
    if (!mine && holder !== '' && Date.now() - this.#observedAt < heldMs) return false;
    const spec = mine
      ? { ...lease.spec, renewTime: microTime(now), leaseDurationSeconds: durationSeconds }
      : { holderIdentity: this.#opts.identity, leaseDurationSeconds: durationSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: (lease.spec.leaseTransitions ?? 0) + 1 };
    return this.#write(() => this.#client.replace(this.#path(), { ...lease, spec }));
  }

  /** A 409 means another candidate wrote first: not an error, just not us this round. */
  async #write(op: () => Promise<unknown>): Promise<boolean> {
    try {
      await op();
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 409) return false;
      throw err;
    }
  }
}
