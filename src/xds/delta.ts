// Incremental (delta) ADS for one client stream. Per type the server remembers which resources
// the client holds at which version (seeded by `initial_resource_versions` on reconnect) and
// sends only what differs: changed or new resources, and the names of those that went away.
// Versions are content hashes, so a reconnecting client that already holds a resource is not
// sent it again. A NACK is logged with the client's reason; what was sent is not sent again
// until it changes, so the client keeps its last good config meanwhile.
// A client whose node asks for VHDS (vhds.ts) gets the VHDS route configurations, and virtual
// hosts one resource each; an on-demand VirtualHost name is answered with that name as an alias.
import type { XdsClientStatus, XdsLog, XdsTypeStatus } from './log.ts';
import { RESOURCE_KINDS, TypeUrl, type ResourceKind } from './protos.ts';
import { kindOfTypeUrl, type EncodedResource, type EncodedResources, type ResourceTable } from './resources.ts';
import { wantsVhds } from './vhds.ts';
import type { EncodedResponse, ResponseCache } from './responses.ts';
import type { DeltaDiscoveryRequest, DeltaDiscoveryResponse, Node, Resource, UnresolvedAlias } from './service.ts';
import { CONTROL_PLANE } from './sotw.ts';
import { selects, selectVersioned, shared, subscriptionKey, type Subscription } from './subscription.ts';

interface DeltaTypeState {
  wildcard: boolean;
  /** shared with every stream subscribed alike (subscription.ts shared()): replaced, never changed */
  names: ReadonlySet<string>;
  /** subscriptionKey of wildcard and names */
  key: string;
  /**
   * the table whose selection `known` equals (the last one pushed from): a stream in step with
   * the table a new one was made from is sent that table's change, encoded once for all such streams
   */
  synced?: ResourceTable;
  /**
   * what the client holds (resource name -> version) when that is not simply what `synced` selects
   * by the subscription: initial_resource_versions before a first answer, a subscription being
   * changed. A stream in step holds exactly that selection, and a map of it per stream would hold
   * every resource name once per client (80,000 per Envoy at 10,000 apps), so none is kept then.
   */
  known?: Map<string, string>;
  /** nonce -> versions that response carried, until ACKed or NACKed */
  pending: Map<string, string>;
  /** whether any response was sent for this type: the first one is sent even when empty */
  answered: boolean;
  sentVersion?: string;
  nackedVersion?: string;
}

export class DeltaStream {
  readonly #send: (response: DeltaDiscoveryResponse | EncodedResponse) => void;
  readonly #log: XdsLog;
  readonly #responses: ResponseCache;
  readonly #types = new Map<ResourceKind, DeltaTypeState>();
  readonly #partBytes: number;
  #node: Node | undefined;
  /** whether the client asked for VHDS (decided by its first request's node) */
  #vhds = false;

  /**
   * `responses`: where bodies are shared with the server's other streams; `partBytes`: the most
   * resource bytes one response carries (more go in several: see #sendParts)
   */
  constructor(send: (response: DeltaDiscoveryResponse | EncodedResponse) => void, log: XdsLog, responses: ResponseCache, partBytes = DELTA_PART_BYTES) {
    this.#send = send;
    this.#log = log;
    this.#responses = responses;
    this.#partBytes = partBytes;
  }

  get nodeId(): string {
    return this.#node?.id ?? '';
  }

  /** The table this client is served a kind from: a VHDS client's route configurations are its own. */
  #table(kind: ResourceKind, resources: EncodedResources): ResourceTable {
    return kind === 'route' && this.#vhds ? resources.vhdsRoute : resources[kind];
  }

  handle(req: DeltaDiscoveryRequest, resources: EncodedResources | undefined): void {
    if (req.node && !this.#node) {
      this.#node = req.node;
      this.#vhds = wantsVhds(req.node);
    }
    const kind = kindOfTypeUrl(req.type_url);
    if (!kind) return;
    let state = this.#types.get(kind);
    if (!state) {
      // Envoy's first VHDS request names nothing too: every virtual host (vhds.ts).
      const wildcardType = kind === 'listener' || kind === 'cluster' || kind === 'vhost';
      // Legacy wildcard: a first listener/cluster request that names nothing wants everything.
      state = {
        wildcard: wildcardType && req.resource_names_subscribe.length === 0,
        names: new Set(),
        key: '',
        known: Object.keys(req.initial_resource_versions ?? {}).length > 0 ? new Map(Object.entries(req.initial_resource_versions)) : undefined,
        pending: new Map(),
        answered: false,
      };
      this.#types.set(kind, state);
    }
    if (req.response_nonce !== '') this.#acknowledge(kind, state, req);
    const resubscribed = req.resource_names_subscribe.length > 0 || req.resource_names_unsubscribe.length > 0;
    // What it holds is named by the subscription as it was: kept by name before that changes.
    if (resubscribed) state.known = this.#held(kind, state);
    const names = resubscribed ? new Set(state.names) : undefined;
    const added = new Set<string>();
    for (const name of req.resource_names_subscribe) {
      if (name === '*') state.wildcard = true;
      else if (!names!.has(name)) {
        names!.add(name);
        added.add(name);
      }
    }
    for (const name of req.resource_names_unsubscribe) {
      if (name === '*') state.wildcard = false;
      else names!.delete(name);
    }
    if (state.key === '' || resubscribed) {
      const sub = shared({ wildcard: state.wildcard, names: names ?? state.names, key: subscriptionKey(state.wildcard, names ?? state.names) });
      state.names = sub.names;
      state.key = sub.key;
    }
    // An ACK or NACK of a stream in step with the current table has nothing to send: no need to
    // compare what the client holds, name by name, with what it would be sent.
    if (resources && !(state.answered && !resubscribed && state.synced === this.#table(kind, resources))) this.#push(kind, state, resources, added);
  }

  status(): XdsClientStatus['types'] {
    const out: Partial<Record<ResourceKind, XdsTypeStatus>> = {};
    for (const [kind, s] of this.#types) {
      const subscribed = [...(s.wildcard ? ['*'] : []), ...[...s.names].sort()];
      out[kind] = { subscribed, sent: s.sentVersion, nacked: s.nackedVersion };
    }
    return out;
  }

  /** resource names this stream keeps a version of (see DeltaTypeState.known): none once in step */
  namesKept(): number {
    let n = 0;
    for (const s of this.#types.values()) n += s.known?.size ?? 0;
    return n;
  }

  update(resources: EncodedResources): void {
    for (const kind of RESOURCE_KINDS) {
      const state = this.#types.get(kind);
      // A table the stream is in step with (a kind the snapshot left alone) has nothing to send.
      if (state && state.synced !== this.#table(kind, resources)) this.#push(kind, state, resources);
    }
  }

  #acknowledge(kind: ResourceKind, state: DeltaTypeState, req: DeltaDiscoveryRequest): void {
    const version = state.pending.get(req.response_nonce);
    state.pending.delete(req.response_nonce);
    const fields = { node: this.nodeId, typeUrl: req.type_url, nonce: req.response_nonce, delta: true };
    if (req.error_detail) {
      state.nackedVersion = version;
      this.#log.warn(
        { ...fields, rejectedVersion: version, error: req.error_detail.message },
        `xDS client ${this.nodeId} rejected ${kind} version ${version ?? '?'}: ${req.error_detail.message}`,
      );
    } else {
      this.#log.debug({ ...fields, version }, 'xDS client accepted configuration');
    }
  }

  #subscription(kind: ResourceKind, state: DeltaTypeState): Subscription {
    return { wildcard: state.wildcard, names: state.names, key: state.key, namespaced: kind === 'vhost' };
  }

  /** What the client holds: `known`, or what `synced` selects by the subscription. */
  #held(kind: ResourceKind, state: DeltaTypeState): Map<string, string> {
    if (state.known) return state.known;
    const held = new Map<string, string>();
    if (state.synced) for (const r of selectVersioned(state.synced, this.#subscription(kind, state)).selected) held.set(r.name, r.hash);
    return held;
  }

  #push(
    kind: ResourceKind,
    state: DeltaTypeState,
    resources: EncodedResources,
    added: ReadonlySet<string> = new Set(),
  ): void {
    const table = this.#table(kind, resources);
    const sub = this.#subscription(kind, state);
    const change = table.change;
    if (state.answered && added.size === 0 && change !== undefined && state.synced === change.from) {
      // The change's own version: selecting from the whole table would walk every resource in it.
      this.#pushChange(kind, state, table, change, sub, change.version);
      return;
    }
    const { selected, version } = selectVersioned(table, sub);
    const known = this.#held(kind, state);
    this.#responses.compared += selected.length + known.size;
    // Sent what follows, the client holds what `table` selects: `synced` says it from now on.
    state.known = undefined;
    // A client holding nothing (a first answer) is sent all it selects, with nothing to compare.
    const first = known.size === 0;
    const changed = first ? selected : selected.filter((r) => known.get(r.name) !== r.hash);
    // Resources the client holds that are gone, or no longer subscribed; and names it asked for
    // that do not exist (telling it so spares it the does-not-exist timeout).
    const removed: string[] = [];
    if (!first) {
      const selectedNames = new Set(selected.map((r) => r.name));
      for (const n of known.keys()) if (!selectedNames.has(n)) removed.push(n);
    }
    // VHDS names a route configuration (all its virtual hosts) or asks on demand for a host, and
    // waits for an answer carrying that name as an alias: never a removal.
    const onDemand = kind === 'vhost' ? [...added].filter((n) => !resources.vhdsRoute.has(n)) : [];
    if (kind !== 'vhost') for (const name of added) if (!table.has(name)) removed.push(name);
    state.synced = table;
    if (state.answered && changed.length === 0 && removed.length === 0 && onDemand.length === 0) return;
    state.answered = true;
    if (onDemand.length > 0) {
      const r = this.#response(kind, version, changed, removed);
      this.#sent(state, version, changed, removed, this.#responses.deltaOnce({ ...r, resources: withAliases(r.resources, onDemand, table) }));
      return;
    }
    // A first answer is the same for every client subscribed alike: encoded once (100 Envoys
    // starting: one body, not 100).
    this.#sendParts(kind, state, table, version, changed, removed, first ? `first\0${kind}\0${sub.key}\0${removed.join('\n')}` : undefined);
  }

  /**
   * `changed` and `removed` in responses of at most #partBytes of resources each, removals with the
   * last. A first answer to an Envoy holds tens of megabytes at 10,000 apps: in one message,
   * grpc-js would copy all of it into a frame of its own for every client at once; in parts, each
   * stream has one part in flight at a time (its writes go one after the other) and the event loop
   * gets a turn between them. With `key`, each part is encoded once for every stream sending it.
   */
  #sendParts(kind: ResourceKind, state: DeltaTypeState, table: ResourceTable, version: string, changed: readonly EncodedResource[], removed: readonly string[], key: string | undefined): void {
    const parts = partition(changed, this.#partBytes);
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      const gone = i === parts.length - 1 ? removed : [];
      const make = () => this.#response(kind, version, part, gone);
      const encoded = key === undefined ? this.#responses.deltaOnce(make()) : this.#responses.delta(table, i === 0 ? key : `${key}\0${i}`, make);
      this.#sent(state, version, part, gone, encoded);
    }
  }

  /** Only the table's change: the same for every stream in step with `change.from` and subscribed alike. */
  #pushChange(kind: ResourceKind, state: DeltaTypeState, table: ResourceTable, change: NonNullable<ResourceTable['change']>, sub: Subscription, version: string): void {
    const changed: EncodedResource[] = [];
    // In step with change.from, the client holds what that table selects.
    const holds = (name: string): boolean => {
      if (state.known) return state.known.has(name);
      const r = change.from.get(name);
      return r !== undefined && selects(sub, r);
    };
    const removed = change.removed.filter(holds);
    for (const name of change.changed) {
      const r = table.get(name);
      if (r && selects(sub, r)) changed.push(r);
      else if (holds(name)) removed.push(name);
    }
    state.synced = table;
    if (changed.length === 0 && removed.length === 0) return;
    this.#sendParts(kind, state, table, version, changed, removed, `${kind}\0${sub.key}`);
  }

  #response(kind: ResourceKind, version: string, changed: readonly EncodedResource[], removed: readonly string[]): Omit<DeltaDiscoveryResponse, 'nonce'> {
    return {
      system_version_info: version,
      resources: changed.map((r) => ({ name: r.name, version: r.hash, resource: r.any })),
      type_url: TypeUrl[kind],
      removed_resources: [...new Set(removed)].sort(),
      control_plane: CONTROL_PLANE,
    };
  }

  #sent(state: DeltaTypeState, version: string, changed: readonly EncodedResource[], removed: readonly string[], shared: EncodedResponse): void {
    for (const r of changed) state.known?.set(r.name, r.hash);
    for (const n of removed) state.known?.delete(n);
    // A nonce names one response on this stream (responses.ts numbers responses, not streams).
    const response = state.pending.has(shared.nonce) ? this.#responses.fresh(shared) : shared;
    state.pending.set(response.nonce, version);
    state.sentVersion = version;
    // A client that never answers must not grow this map without bound.
    if (state.pending.size > 32) state.pending.delete(state.pending.keys().next().value!);
    this.#send(response);
  }
}

/** The most resource bytes in one delta response (under gRPC's usual 4 MiB receive limit). */
export const DELTA_PART_BYTES = 3 * 1024 * 1024;

/** `resources` in runs of at most `bytes` (a bigger resource alone); one empty run for none. */
function partition(resources: readonly EncodedResource[], bytes: number): Array<readonly EncodedResource[]> {
  let size = 0;
  for (const r of resources) size += r.any.value.length;
  if (size <= bytes) return [resources];
  const parts: EncodedResource[][] = [[]];
  size = 0;
  for (const r of resources) {
    const n = r.any.value.length;
    if (size > 0 && size + n > bytes) {
      parts.push([]);
      size = 0;
    }
    parts[parts.length - 1]!.push(r);
    size += n;
  }
  return parts;
}

/**
 * `resources` answering VHDS on-demand names: a virtual host so named carries its name as an
 * alias (sent again if the client holds it, since Envoy waits for the alias); a name nothing
 * serves gets a resource with the alias and no content, which Envoy reads as "not found".
 */
function withAliases(resources: readonly Resource[], names: readonly string[], table: ResourceTable): Array<Resource | UnresolvedAlias> {
  const out: Array<Resource | UnresolvedAlias> = [...resources];
  for (const name of names) {
    const i = out.findIndex((r) => r.name === name);
    const r = table.get(name);
    if (i >= 0) out[i] = { ...out[i]!, aliases: [name] };
    else if (r) out.push({ name, version: r.hash, resource: r.any, aliases: [name] });
    else out.push({ name, version: '', resource: null, aliases: [name] });
  }
  return out;
}
