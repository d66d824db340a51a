// State-of-the-world ADS for one client stream: per type, what the client subscribes to, the
// last response sent (version and nonce) and the last version it accepted.
// - Every response gets a fresh nonce; a request quoting an older nonce is stale and ignored
//   (the client will send another quoting the newest).
// - A request quoting the newest nonce ACKs it, or NACKs it when error_detail is set: the
//   rejection is logged with the client's reason and that content is not sent again; the client
//   keeps its last good config until something it subscribes to changes.
// - A type is pushed only when the content the client subscribes to has a new version.
// - Route configurations and endpoint assignments (Envoy asks for them by name, one watch each) are
//   sent as only those that changed, as the xDS protocol allows for every type but listeners and
//   clusters (whose responses must hold every resource): a one-route edit re-sends the route
//   configurations it touched, not every one, and an endpoint change one assignment, not 20,000.
//   The whole subscribed set goes out on a (re)start, a new subscription or after a NACK.
import type { XdsClientStatus, XdsLog, XdsTypeStatus } from './log.ts';
import { TypeUrl, RESOURCE_KINDS, type ResourceKind } from './protos.ts';
import { kindOfTypeUrl, type EncodedResource, type EncodedResources, type ResourceTable } from './resources.ts';
import type { DiscoveryRequest, DiscoveryResponse, Node } from './service.ts';
import type { EncodedResponse, ResponseCache } from './responses.ts';
import { nextSubscription, selects, selectVersioned, subscriptionKey, type Subscription } from './subscription.ts';

/** Kinds whose state-of-the-world responses may hold only the resources that changed. */
const BY_NAME: ReadonlySet<ResourceKind> = new Set(['route', 'endpoint']);

interface TypeState {
  subscription: Subscription;
  /** the table the last response was made from, and the subscription it was for */
  syncedTable?: ResourceTable;
  syncedKey?: string;
  /** version and nonce of the last response sent on this stream */
  sentVersion?: string;
  sentNonce?: string;
  ackedVersion?: string;
  nackedVersion?: string;
}

export const CONTROL_PLANE = { identifier: 'sluice' };

export class SotwStream {
  readonly #send: (response: DiscoveryResponse | EncodedResponse) => void;
  readonly #log: XdsLog;
  readonly #responses: ResponseCache;
  readonly #types = new Map<ResourceKind, TypeState>();
  #node: Node | undefined;

  /** `responses`: where bodies are shared with the server's other streams */
  constructor(send: (response: DiscoveryResponse | EncodedResponse) => void, log: XdsLog, responses: ResponseCache) {
    this.#send = send;
    this.#log = log;
    this.#responses = responses;
  }

  get nodeId(): string {
    return this.#node?.id ?? '';
  }

  status(): XdsClientStatus['types'] {
    const out: Partial<Record<ResourceKind, XdsTypeStatus>> = {};
    for (const [kind, s] of this.#types) {
      out[kind] = {
        subscribed: [...(s.subscription.wildcard ? ['*'] : []), ...[...s.subscription.names].sort()],
        sent: s.sentVersion,
        acked: s.ackedVersion,
        nacked: s.nackedVersion,
      };
    }
    return out;
  }

  /** resource names kept per stream: state of the world keeps versions per type, not per resource */
  namesKept(): number {
    return 0;
  }

  /** Handles one request; `resources` is undefined until the first snapshot is served. */
  handle(req: DiscoveryRequest, resources: EncodedResources | undefined): void {
    // Only the first request of a stream must carry the node.
    if (req.node && !this.#node) this.#node = req.node;
    const kind = kindOfTypeUrl(req.type_url);
    if (!kind) {
      this.#log.debug({ node: this.nodeId, typeUrl: req.type_url }, 'xDS request for an unserved type ignored');
      return;
    }
    const state = this.#types.get(kind);
    if (state && req.response_nonce !== '' && req.response_nonce !== state.sentNonce) {
      this.#log.debug({ node: this.nodeId, typeUrl: req.type_url, nonce: req.response_nonce }, 'stale xDS request ignored');
      return;
    }
    if (state && req.response_nonce !== '') this.#acknowledge(kind, state, req);
    const next: TypeState = state ?? { subscription: { wildcard: false, names: new Set(), key: subscriptionKey(false, []) } };
    next.subscription = nextSubscription(kind, req.resource_names, state?.subscription);
    this.#types.set(kind, next);
    // A request without a nonce is a (re)start of this type: it always gets an answer.
    if (resources) this.#push(kind, next, resources, req.response_nonce === '');
  }

  /** A new snapshot: push every type whose subscribed content changed, clusters before endpoints, listeners before routes. */
  update(resources: EncodedResources): void {
    for (const kind of RESOURCE_KINDS) {
      const state = this.#types.get(kind);
      if (state) this.#push(kind, state, resources, false);
    }
  }

  #acknowledge(kind: ResourceKind, state: TypeState, req: DiscoveryRequest): void {
    const fields = { node: this.nodeId, typeUrl: req.type_url, nonce: req.response_nonce };
    if (req.error_detail) {
      state.nackedVersion = state.sentVersion;
      this.#log.warn(
        { ...fields, rejectedVersion: state.sentVersion, keptVersion: req.version_info, error: req.error_detail.message },
        `xDS client ${this.nodeId} rejected ${kind} version ${state.sentVersion}: ${req.error_detail.message}`,
      );
    } else {
      state.ackedVersion = req.version_info;
      this.#log.debug({ ...fields, version: req.version_info }, 'xDS client accepted configuration');
    }
  }

  #push(kind: ResourceKind, state: TypeState, resources: EncodedResources, force: boolean): void {
    const table = resources[kind];
    const sub = state.subscription;
    const { selected, version } = selectVersioned(table, sub);
    if (!force && version === state.sentVersion) return;
    const from = state.syncedTable;
    const partial = !force && BY_NAME.has(kind) && from !== undefined && state.syncedKey === sub.key && state.nackedVersion !== state.sentVersion;
    const make = (list: readonly EncodedResource[]) => () => ({ version_info: version, resources: list.map((r) => r.any), type_url: TypeUrl[kind], control_plane: CONTROL_PLANE });
    let response: EncodedResponse;
    if (partial && table.change?.from === from) {
      // In step with the table this one was made from: its change, shared by every stream subscribed alike.
      const changed = table.change.changed.flatMap((name) => {
        const r = table.get(name);
        return r !== undefined && selects(sub, r) ? [r] : [];
      });
      response = this.#responses.sotw(table, TypeUrl[kind], version, make(changed), `change\0${sub.key}`);
    } else if (partial) {
      // Further behind (a push skipped a snapshot): what differs from what it was sent last.
      const changed = selected.filter((r) => from.get(r.name)?.hash !== r.hash);
      response = this.#responses.sotwOnce(make(changed)());
    } else response = this.#responses.sotw(table, TypeUrl[kind], version, make(selected));
    state.syncedTable = table;
    state.syncedKey = sub.key;
    // Every response on a stream gets a new nonce, so an ACK names exactly one.
    if (response.nonce === state.sentNonce) response = this.#responses.fresh(response);
    state.sentVersion = version;
    state.sentNonce = response.nonce;
    this.#send(response);
  }
}
