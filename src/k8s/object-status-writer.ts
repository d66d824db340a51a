// Writes Gateway API objects' statuses (GatewayClass, Gateway, HTTPRoute, GRPCRoute) to their `status`
// subresource: only when something but transition times changed, and with a `409 Conflict` retried on
// a freshly read object, as the Ingress writer does. An object that left gets nothing written.
import type { ObjectStatus } from '../snapshot/types.ts';
import { KubeApiError, type KubeClient, type KubeObject } from './client.ts';
import { desiredObjectStatus, sameObjectStatus } from './object-status.ts';
import type { LiveObject } from './source.ts';

export type ObjectWriteResult = 'written' | 'unchanged' | 'gone';

export interface ObjectStatusWriterOptions {
  /** the live object as last seen by the watch, and its path in the served version */
  readonly lookup: (kind: string, namespace: string, name: string) => LiveObject | undefined;
  readonly now?: () => Date;
  /** attempts on 409 Conflict (default 5) */
  readonly maxAttempts?: number;
}

export class ObjectStatusWriter {
  readonly #client: KubeClient;
  readonly #o: ObjectStatusWriterOptions;
  /** writes so far, for tests */
  writes = 0;
  /**
   * Per object, what our last write returned and the watch's resourceVersion it replaced: until the watch
   * delivers the write, the cache holds the replaced version, and comparing with it would write again.
   */
  readonly #written = new Map<string, { readonly replaced: string | undefined; readonly object: KubeObject }>();

  constructor(client: KubeClient, o: ObjectStatusWriterOptions) {
    this.#client = client;
    this.#o = o;
  }

  async write(st: ObjectStatus): Promise<ObjectWriteResult> {
    const key = `${st.kind} ${st.namespace}/${st.name}`;
    const live = this.#o.lookup(st.kind, st.namespace, st.name);
    if (!live) {
      this.#written.delete(key);
      return 'gone';
    }
    let current: KubeObject | undefined = live.object;
    const cachedVersion = current.metadata?.resourceVersion;
    const mine = this.#written.get(key);
    if (mine && cachedVersion === mine.replaced) current = mine.object;
    else this.#written.delete(key);
    const attempts = this.#o.maxAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      if (!current) {
        try {
          current = await this.#client.get<KubeObject>(live.path);
        } catch (err) {
          if (err instanceof KubeApiError && err.status === 404) return this.#gone(key);
          throw err;
        }
      }
      const status = desiredObjectStatus(st.kind, st.status, current.status, current.metadata?.generation, (this.#o.now ?? (() => new Date()))());
      if (sameObjectStatus(status, current.status)) return 'unchanged';
      try {
        const result = await this.#client.replace<KubeObject | undefined>(`${live.path}/status`, { ...current, status });
        this.writes++;
        if (result?.metadata?.resourceVersion) this.#written.set(key, { replaced: cachedVersion ?? current.metadata?.resourceVersion, object: result });
        return 'written';
      } catch (err) {
        if (!(err instanceof KubeApiError) || attempt >= attempts) throw err;
        if (err.status === 404) return this.#gone(key);
        if (err.status !== 409) throw err;
        current = undefined; // someone else wrote: read it again and recompute
      }
    }
  }

  #gone(key: string): 'gone' {
    this.#written.delete(key);
    return 'gone';
  }
}
