// Which virtual host serves each host name to proxyless gRPC clients (hostsForGrpc in routes.ts:
// the first listing it, local listener first), kept as an index so that a snapshot change finds the
// new owner of just the hosts its virtual hosts list. Lists sorted by name make "first" the
// least name (the caller checks they are: route-config-cache.ts claims).
import type { ListDiff } from '../snapshot/list-diff.ts';
import type { VirtualHost } from '../snapshot/types.ts';
import { grpcHost } from './routes.ts';

type Listing = Map<string, Set<VirtualHost>>;
export type GrpcListener = 'local' | 'external';

function add(m: Listing, v: VirtualHost): void {
  for (const d of v.domains) {
    let s = m.get(d);
    if (!s) m.set(d, (s = new Set()));
    s.add(v);
  }
}

function remove(m: Listing, v: VirtualHost): void {
  for (const d of v.domains) {
    const s = m.get(d);
    s?.delete(v);
    if (s?.size === 0) m.delete(d);
  }
}

const least = (vs: Iterable<VirtualHost>): VirtualHost | undefined => {
  let out: VirtualHost | undefined;
  for (const v of vs) if (out === undefined || v.name < out.name) out = v;
  return out;
};

export class GrpcHostIndex {
  readonly #lists: Record<GrpcListener, Listing> = { local: new Map(), external: new Map() };

  constructor(local: readonly VirtualHost[], external: readonly VirtualHost[]) {
    for (const v of local) add(this.#lists.local, v);
    for (const v of external) add(this.#lists.external, v);
  }

  /** The owner of `domain` once `diffs` are applied (without applying them). */
  ownerAfter(domain: string, diffs: Readonly<Record<GrpcListener, ListDiff<VirtualHost>>>): VirtualHost | undefined {
    if (!grpcHost(domain)) return undefined;
    for (const list of ['local', 'external'] as const) {
      const held = new Set(this.#lists[list].get(domain));
      for (const v of diffs[list].removed) held.delete(v);
      for (const v of diffs[list].added) if (v.domains.includes(domain)) held.add(v);
      const owner = least(held);
      if (owner) return owner;
    }
    return undefined;
  }

  /** Applies the change (on commit). */
  apply(diffs: Readonly<Record<GrpcListener, ListDiff<VirtualHost>>>): void {
    for (const list of ['local', 'external'] as const) {
      for (const v of diffs[list].removed) remove(this.#lists[list], v);
      for (const v of diffs[list].added) add(this.#lists[list], v);
    }
  }
}
