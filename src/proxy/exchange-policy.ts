// The interface route filters and policies implement (header edits now; CORS, rate limits,
// ext_authz, mirrors, access logs next), and their compilation per route. A policy is a small
// object with up to two hooks, run by the exchange core (exchange.ts) on every front end:
//
// - request side, before an upstream is picked: go on (undefined), answer locally (a LocalReply),
//   or decide later (a Promise of either; the front end holds the client meanwhile);
// - response side, once the upstream's final head is in: edit its headers.
//
// A filter is a PolicyKind: it compiles a route's decision into its policy (or none). Policies are
// compiled once per route and cached, so a request pays for policies only when its route has some.
import type { Readable } from 'node:stream';
import { routePolicyKinds } from '../policies/kinds.ts';
import type { HeaderEdits, HeaderPair, Route } from '../snapshot/types.ts';
import type { Decision } from './decide.ts';
import { applyResponseEdits, noEdits } from './headers.ts';
import type { LocalReply } from './local-reply.ts';

export type ForwardDecision = Extract<Decision, { kind: 'forward' }>;

/** What a request-side hook sees: the request's facts and where it is being routed. */
export interface PolicyRequest {
  readonly method: string;
  readonly url: string;
  /** the client's raw headers, [name, value, ...] */
  readonly raw: readonly string[];
  readonly clientAddress: string | undefined;
  /** the request has no body */
  readonly bodyless: boolean;
  readonly decision: ForwardDecision;
  /** the data plane's logger, for a policy's own troubles (a JWKS endpoint down) */
  readonly dp: { readonly log: { warn(fields: Record<string, unknown>, msg: string): void } };
  /** Sets headers on the upstream request (each replacing any of its name), as ext_authz's allow does. */
  setUpstreamHeaders(pairs: readonly HeaderPair[]): void;
  /**
   * The client's body stream, for a policy that reads its first bytes and puts them back
   * (policies/peek-body.ts); undefined when the front end has none to give.
   */
  requestBody(): Readable | undefined;
}

export type RequestVerdict = LocalReply | undefined;

export interface ExchangePolicy {
  /** Envoy's response flag for the access log when this policy answers a request ('UAEX', 'RL') */
  readonly responseFlag?: string;
  /** undefined lets the exchange go on; a LocalReply answers the client instead of the upstream */
  onRequest?(req: PolicyRequest): RequestVerdict | Promise<RequestVerdict>;
  /**
   * The upstream's final status and its headers for the client (hop-by-hop fields already gone);
   * returns the headers to send (the same array, edited, or a new one).
   */
  onResponse?(status: number, headers: string[]): string[];
}

export interface RoutePolicies {
  readonly request: readonly ExchangePolicy[];
  readonly response: readonly ExchangePolicy[];
}

/** A route without policies: shared, so it costs nothing per request. */
export const NO_POLICIES: RoutePolicies = Object.freeze({ request: Object.freeze([]), response: Object.freeze([]) });

/** The route's response header edits (decision.response), as a response-side policy. */
export class ResponseHeaderEdits implements ExchangePolicy {
  constructor(readonly edits: HeaderEdits) {}
  onResponse(_status: number, headers: string[]): string[] {
    return applyResponseEdits(headers, this.edits);
  }
}

/** Makes a route's policy of one kind from its decision, or undefined when the route has none. */
export interface PolicyKind {
  compile(route: ForwardDecision): ExchangePolicy | undefined;
}

const responseHeaderEdits: PolicyKind = {
  compile: (route) => (route.response === undefined || noEdits(route.response) ? undefined : new ResponseHeaderEdits(route.response)),
};

/** Kinds registered besides the built-in ones (filters living in their own files), in order. */
let registered: readonly PolicyKind[] = [];

// Compiled policies per split (a split's edits are its own; its object is kept across snapshot
// swaps while unchanged, compile-routes.ts), so each route's policies are compiled once. Replaced
// when the kinds change. Routes sharing a split list share compiled splits, so a route with its
// own traffic policies (Route.policies) keys its splits under its IR route object.
let compiled = new WeakMap<object, RoutePolicies>();
let compiledWithPolicies = new WeakMap<Route, WeakMap<object, RoutePolicies>>();

/**
 * Adds a policy kind, run after the built-in ones on every route from the next request on;
 * returns its removal.
 */
export function registerPolicyKind(kind: PolicyKind): () => void {
  registered = [...registered, kind];
  compiled = new WeakMap();
  compiledWithPolicies = new WeakMap();
  return () => {
    registered = registered.filter((k) => k !== kind);
    compiled = new WeakMap();
    compiledWithPolicies = new WeakMap();
  };
}

/** The policies of the route a forward decision chose. */
export function policiesFor(decision: ForwardDecision): RoutePolicies {
  const route = decision.route.route;
  // The usual route has none: no lookup at all.
  if (decision.response === undefined && route.policies === undefined && registered.length === 0) return NO_POLICIES;
  let cache = compiled;
  if (route.policies !== undefined) {
    cache = compiledWithPolicies.get(route) ?? new WeakMap();
    compiledWithPolicies.set(route, cache);
  }
  // CORS headers echo each request's origin (decide.ts): such edits are the request's, not the split's.
  const cacheable = decision.response === decision.split.response;
  let p = cacheable ? cache.get(decision.split) : undefined;
  if (p === undefined) {
    const list: ExchangePolicy[] = [];
    for (const kind of [responseHeaderEdits, ...routePolicyKinds, ...registered]) {
      const policy = kind.compile(decision);
      if (policy !== undefined) list.push(policy);
    }
    p = compile(list);
    if (cacheable) cache.set(decision.split, p);
  }
  return p;
}

/** Sorts a route's policies into the hooks the exchange runs. */
export function compile(policies: readonly ExchangePolicy[]): RoutePolicies {
  const request = policies.filter((p) => p.onRequest !== undefined);
  const response = policies.filter((p) => p.onResponse !== undefined);
  return request.length === 0 && response.length === 0 ? NO_POLICIES : { request, response };
}
