// List-then-watch of one collection, kept as a local cache, as client-go's Reflector does:
// list (remember the collection resourceVersion), watch from it, resume a dropped watch from the last
// seen resourceVersion, relist on `410 Gone` (history compacted), and retry failures with capped
// exponential backoff, so a restarting or unreachable API server costs nothing but a delay.
import type { KubeClient, KubeList, KubeObject, WatchHandle } from './client.ts';
import { KubeApiError } from './client.ts';
import { slim, statusOnly, withUnchangedParts } from './slim.ts';
import { objectKey } from './keys.ts';

export interface ReflectorOptions {
  /** collection path, e.g. `/api/v1/services` */
  readonly path: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** first retry delay; doubles up to maxBackoffMs */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** the server ends each watch after this long (plus jitter), so dead connections are noticed */
  readonly watchTimeoutSeconds?: number;
  /**
   * called after every change to the cache (not for bookmarks, nor status-only changes when `onStatusChange`
   * is set), with the `namespace/name` of the object changed; without, after a list (anything may have changed)
   */
  readonly onChange: (key?: string) => void;
  /** called instead of onChange for a change of status alone (see statusOnly), with the object: for kinds whose status Sluice writes */
  readonly onStatusChange?: (obj: KubeObject) => void;
  /** drop kubectl's last-applied annotation too (kinds Sluice never writes back) */
  readonly dropLastApplied?: boolean;
  /** called on every failure before a retry */
  readonly onError?: (err: unknown) => void;
  /** what the cache keeps of each object (default: slim, below): a projection of the fields read, at receipt */
  readonly project?: (o: KubeObject) => KubeObject;
  /** objects per list page (default 500, as client-go's pager) */
  readonly pageSize?: number;
}

const PAGE_SIZE = 500;

const keyOf = (o: KubeObject): string => objectKey(o.metadata?.namespace, o.metadata?.name);

export class Reflector<T extends KubeObject> {
  readonly #client: KubeClient;
  readonly #opts: ReflectorOptions;
  #items = new Map<string, T>();
  /** items() as last handed out, until the cache changes: lookups by the source and the prober are many, changes few */
  #sorted: T[] | undefined;
  #rv = '';
  #stopped = false;
  #watch: WatchHandle | undefined;
  #timer: NodeJS.Timeout | undefined;
  #backoff: number;
  #synced!: () => void;
  /** resolves after the first successful list */
  readonly synced: Promise<void>;
  /** how many times the collection was listed (relists after 410 included); for tests and metrics */
  lists = 0;

  constructor(client: KubeClient, opts: ReflectorOptions) {
    this.#client = client;
    this.#opts = opts;
    this.#backoff = opts.minBackoffMs ?? 200;
    this.synced = new Promise((resolve) => (this.#synced = resolve));
  }

  start(): void {
    this.#stopped = false;
    void this.#run();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#watch?.abort();
    this.#watch = undefined;
  }

  /** the cached objects, sorted by namespace/name (the same array until the cache changes: do not change it) */
  items(): readonly T[] {
    this.#sorted ??= [...this.#items.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
    return this.#sorted;
  }

  get(namespace: string, name: string): T | undefined {
    return this.#items.get(`${namespace}/${name}`);
  }

  async #run(): Promise<void> {
    if (this.#stopped) return;
    try {
      if (!this.#rv) await this.#list();
      await this.#startWatch();
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 410) this.#rv = '';
      this.#retry(err);
    }
  }

  async #list(): Promise<void> {
    // The first list reads the API server's watch cache (resourceVersion=0, as client-go's first list
    // does): a restart of thousands of objects costs etcd nothing. A relist follows a 410, when our
    // version is gone: it reads consistently, so that it never goes back in time.
    let consistent = this.lists > 0;
    const next = new Map<string, T>();
    let token = '';
    let rv = '';
    for (;;) {
      let page: KubeList<T>['metadata'];
      // Each object is slimmed as it arrives: a page is never held whole, as text or as objects.
      const add = (o: T): void => void next.set(keyOf(o), this.#slim(o));
      try {
        page = await this.#client.listEach<T>(this.#opts.path, { labelSelector: this.#opts.labelSelector, fieldSelector: this.#opts.fieldSelector, limit: this.#opts.pageSize ?? PAGE_SIZE, ...(token ? { continue: token } : consistent ? {} : { resourceVersion: '0' }) }, add);
      } catch (err) {
        // The version the pages are read at was compacted away: start over, consistently, once.
        if (!(token && err instanceof KubeApiError && err.status === 410) || consistent) throw err;
        consistent = true;
        next.clear();
        token = '';
        continue;
      }
      if (this.#stopped) return;
      token = page?.continue ?? '';
      if (!token) {
        rv = page?.resourceVersion ?? '';
        break;
      }
    }
    this.#items = next;
    this.#sorted = undefined;
    this.#rv = rv;
    this.lists++;
    this.#backoff = this.#opts.minBackoffMs ?? 200;
    this.#synced();
    this.#opts.onChange();
  }

  async #startWatch(): Promise<void> {
    if (this.#stopped) return;
    const base = this.#opts.watchTimeoutSeconds ?? 300;
    let ended = false;
    let events = 0;
    const startedAt = Date.now();
    const handle = await this.#client.watch(
      this.#opts.path,
      { resourceVersion: this.#rv, labelSelector: this.#opts.labelSelector, fieldSelector: this.#opts.fieldSelector, timeoutSeconds: Math.round(base * (1 + Math.random() / 2)) },
      (type, obj) => {
        if (ended || this.#stopped) return;
        events++;
        this.#event(type, obj);
      },
      (err) => {
        if (ended) return;
        ended = true;
        this.#watch = undefined;
        if (this.#stopped) return;
        if (err) {
          if (err instanceof KubeApiError && err.status === 410) this.#rv = '';
          this.#retry(err);
        } else if (events === 0 && Date.now() - startedAt < 1000) {
          // Closed at once with nothing said: treat as a failure, so a misbehaving server is not hammered.
          this.#retry(new Error(`watch ${this.#opts.path} closed immediately`));
        } else {
          // A clean end (server timeout, or an ERROR event that cleared #rv): resume or relist now.
          clearTimeout(this.#timer);
          this.#timer = setTimeout(() => void this.#run(), 20);
        }
      },
    );
    if (this.#stopped || ended) handle.abort();
    else this.#watch = handle;
  }

  #event(type: string, obj: KubeObject): void {
    if (type === 'ERROR') {
      // A Status object; 410 means our resourceVersion is older than the server's history: relist.
      const code = (obj as { code?: number }).code;
      // The server ends the stream after an ERROR event; the done callback then relists or resumes.
      if (code === 410) this.#rv = '';
      else this.#opts.onError?.(new KubeApiError(code ?? 500, `watch ${this.#opts.path}: ${(obj as { message?: string }).message ?? 'error event'}`));
      return;
    }
    this.#backoff = this.#opts.minBackoffMs ?? 200;
    const rv = obj.metadata?.resourceVersion;
    if (rv) this.#rv = rv;
    if (type === 'BOOKMARK') return;
    const key = keyOf(obj);
    this.#sorted = undefined;
    if (type === 'DELETED') {
      this.#items.delete(key);
      return this.#opts.onChange(key);
    }
    const before = this.#items.get(key);
    if (this.#opts.onStatusChange && before && statusOnly(before, obj)) {
      // The spec is the one cached (equal): what the projection made of it is not made again.
      const kept = 'spec' in before ? { ...obj, spec: before.spec } : obj;
      this.#items.set(key, withUnchangedParts(before, this.#slim(kept as T)));
      return this.#opts.onStatusChange(obj);
    }
    this.#items.set(key, this.#slim(obj as T));
    this.#opts.onChange(key);
  }

  #slim(o: T): T {
    return this.#opts.project ? (this.#opts.project(o) as T) : slim(o, this.#opts.dropLastApplied === true);
  }

  #retry(err: unknown): void {
    if (this.#stopped) return;
    this.#opts.onError?.(err);
    const delay = this.#backoff;
    this.#backoff = Math.min(this.#backoff * 2, this.#opts.maxBackoffMs ?? 5_000);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#run(), delay);
  }
}
