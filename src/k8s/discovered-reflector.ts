// A Reflector for a kind whose CRD may not be installed: discovery first, with backoff, until the
// server serves one of the kind's versions, then list+watch it. Not being installed is no error:
// it is said once, and installing the CRDs later works without a restart.
import type { KubeClient, KubeObject } from './client.ts';
import { crdPath, servedVersion, type CrdKindInfo } from './gateway-api-kinds.ts';
import { Reflector } from './reflector.ts';

export interface DiscoveredReflectorOptions {
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** discovery retries while the CRD is missing (defaults 1 s doubling to 30 s) */
  readonly minDiscoveryMs?: number;
  readonly maxDiscoveryMs?: number;
  /** as Reflector's: with the `namespace/name` of the object changed, or none after a list */
  readonly onChange: (key?: string) => void;
  /** a change of status alone: the cache is updated, but nothing the translator reads changed */
  readonly onStatusChange?: (obj: KubeObject) => void;
  readonly labelSelector?: string;
  readonly onError?: (err: unknown) => void;
  /** told once each time the kind turns out not to be served */
  readonly onMissing?: (info: CrdKindInfo) => void;
  /** as Reflector's: what the cache keeps of each object */
  readonly project?: (o: KubeObject) => KubeObject;
}

export class DiscoveredReflector {
  readonly info: CrdKindInfo;
  readonly #client: KubeClient;
  readonly #o: DiscoveredReflectorOptions;
  #reflector: Reflector<KubeObject> | undefined;
  #version: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #delay: number;
  #errorDelay: number;
  #stopped = false;
  #saidMissing = false;
  #settled!: () => void;
  /** resolves once the kind is listed, or known not to be served: startup never waits for a missing CRD */
  readonly settled: Promise<void>;

  constructor(client: KubeClient, info: CrdKindInfo, o: DiscoveredReflectorOptions) {
    this.#client = client;
    this.info = info;
    this.#o = o;
    this.#delay = o.minDiscoveryMs ?? 1000;
    this.#errorDelay = o.minBackoffMs ?? 200;
    this.settled = new Promise((resolve) => (this.#settled = resolve));
  }

  /** how many times the collection has been listed */
  get lists(): number {
    return this.#reflector?.lists ?? 0;
  }

  /** the version being watched, once discovered */
  get version(): string | undefined {
    return this.#version;
  }

  start(): void {
    this.#stopped = false;
    void this.#discover();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#reflector?.stop();
  }

  items(): readonly KubeObject[] {
    return this.#reflector?.items() ?? [];
  }

  get(namespace: string, name: string): KubeObject | undefined {
    return this.#reflector?.get(this.info.namespaced ? namespace : '', name);
  }

  /** the object's path in the served version (undefined before discovery) */
  path(namespace: string, name: string): string | undefined {
    return this.#version === undefined ? undefined : crdPath(this.info, this.#version, namespace, name);
  }

  async #discover(): Promise<void> {
    if (this.#stopped) return;
    let version: string | undefined;
    try {
      version = await servedVersion(this.#client, this.info);
    } catch (err) {
      this.#o.onError?.(err);
      // The server is unreachable or refused: retried as a failed watch is, not as a missing CRD.
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => void this.#discover(), this.#errorDelay);
      this.#errorDelay = Math.min(this.#errorDelay * 2, this.#o.maxBackoffMs ?? 5_000);
      return;
    }
    if (this.#stopped) return;
    if (version === undefined) {
      if (!this.#saidMissing) this.#o.onMissing?.(this.info);
      this.#saidMissing = true;
      this.#settled();
      return this.#again();
    }
    this.#version = version;
    const r = new Reflector<KubeObject>(this.#client, {
      path: crdPath(this.info, version),
      labelSelector: this.#o.labelSelector,
      minBackoffMs: this.#o.minBackoffMs,
      maxBackoffMs: this.#o.maxBackoffMs,
      onChange: this.#o.onChange,
      onError: this.#o.onError,
      // Sluice writes these kinds' status: its own writes must not cost a translation each.
      onStatusChange: this.#o.onStatusChange,
      project: this.#o.project,
    });
    this.#reflector = r;
    r.start();
    void r.synced.then(() => this.#settled());
  }

  #again(): void {
    if (this.#stopped) return;
    const delay = this.#delay;
    this.#delay = Math.min(this.#delay * 2, this.#o.maxDiscoveryMs ?? 30_000);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#discover(), delay);
  }
}
