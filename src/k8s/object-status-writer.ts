// Writes Gateway API objects' statuses (GatewayClass, Gateway, HTTPRoute, GRPCRoute) to their `status`
// subresource: only when something but transition times changed, and with a `409 Conflict` retried on
// a freshly read object, as the Ingress writer does. An object that left gets nothing written.
import { storeKind } from '../api/types.ts';
import type { ObjectStatus } from '../snapshot/types.ts';
import type { KubeClient, KubeObject } from './client.ts';
import { desiredObjectStatus, type Json, sameObjectStatus } from './object-status.ts';
import type { LiveObject } from './source.ts';
import { StatusReplacer, type WriteResult } from './status-replace.ts';

export type ObjectWriteResult = WriteResult;

export interface ObjectStatusWriterOptions {
  /** the live object as last seen by the watch, and its path in the served version */
  readonly lookup: (kind: string, namespace: string, name: string) => LiveObject | undefined;
  readonly now?: () => Date;
  /** attempts on 409 Conflict (default 5) */
  readonly maxAttempts?: number;
}

export class ObjectStatusWriter {
  readonly #o: ObjectStatusWriterOptions;
  readonly #replacer: StatusReplacer<KubeObject, Json>;

  constructor(client: KubeClient, o: ObjectStatusWriterOptions) {
    this.#o = o;
    this.#replacer = new StatusReplacer(client, o.maxAttempts);
  }

  /** writes so far, for tests */
  get writes(): number {
    return this.#replacer.writes;
  }

  async write(st: ObjectStatus): Promise<ObjectWriteResult> {
    const key = `${storeKind(st)} ${st.namespace}/${st.name}`;
    const live = this.#o.lookup(storeKind(st), st.namespace, st.name);
    if (!live) return this.#replacer.forget(key);
    const now = this.#o.now ?? (() => new Date());
    return this.#replacer.write(
      key,
      live.path,
      live.object,
      (current) => desiredObjectStatus(st.kind, st.status, current.status, current.metadata?.generation, now()),
      (status, current) => sameObjectStatus(status, current.status),
    );
  }
}
