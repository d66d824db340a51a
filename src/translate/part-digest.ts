// The content digest of the Gateway API part, built from digests kept per object: a virtual host,
// cluster or port that an edit did not touch is the very same object as before (kept rules and
// reusePorts), so only what changed is serialized again. At 10,000 HTTPRoutes this replaces a
// JSON.stringify of every port and cluster on each edit. The digest depends on content alone.
import { hash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { GatewayApiResult } from '../gateway-api/translate.ts';
import type { PortListener, VirtualHost } from '../snapshot/types.ts';

const digests = new WeakMap<object, string>();

function digestOf(o: object, text: () => string): string {
  let d = digests.get(o);
  if (d === undefined) digests.set(o, (d = hash('sha1', text(), 'base64')));
  return d;
}

const json = (o: object) => () => JSON.stringify(o);

function portDigest(p: PortListener): string {
  return digestOf(p, () => {
    const { virtualHosts, ...rest } = p;
    return `${JSON.stringify(rest)}\n${virtualHosts.map((v) => digestOf(v, json(v))).join('\n')}`;
  });
}

/** One line per port, cluster and certificate digest, in list order. */
export function gatewayApiDigest(gw: GatewayApiResult): string {
  return [...gw.ports.map(portDigest), '', ...gw.clusters.map((c) => digestOf(c, json(c))), '', ...gw.tls.map((t) => digestOf(t, json(t)))].join('\n');
}

/**
 * `after`'s ports, where each port and virtual host equal to one in `before` is that object: the
 * ports diff (by identity) then names only the ports an edit touched, and the digests above are
 * reused. Virtual hosts are compared by their fields and their routes by identity (kept rules give
 * back the same route objects), so the comparison costs a few checks per host, not a deep walk.
 */
export function reusePorts(before: readonly PortListener[], after: readonly PortListener[]): readonly PortListener[] {
  if (before === after) return before;
  const old = new Map(before.map((p) => [p.name, p]));
  let changed = before.length !== after.length;
  const out = after.map((p, i) => {
    const o = old.get(p.name);
    if (o === p) {
      if (before[i] !== o) changed = true;
      return o;
    }
    if (o === undefined) {
      changed = true;
      return p;
    }
    const vhosts = reuseHosts(o.virtualHosts, p.virtualHosts);
    const { virtualHosts: _a, ...restNew } = p;
    const { virtualHosts: _b, ...restOld } = o;
    if (vhosts === o.virtualHosts && isDeepStrictEqual(restNew, restOld)) {
      if (before[i] !== o) changed = true;
      return o;
    }
    changed = true;
    return vhosts === p.virtualHosts ? p : { ...p, virtualHosts: vhosts };
  });
  return changed ? out : before;
}

function reuseHosts(before: readonly VirtualHost[], after: readonly VirtualHost[]): readonly VirtualHost[] {
  const old = new Map(before.map((v) => [v.name, v]));
  let changed = before.length !== after.length;
  const out = after.map((v, i) => {
    const o = old.get(v.name);
    if (o !== undefined && (o === v || sameHost(o, v))) {
      if (before[i] !== o) changed = true;
      return o;
    }
    changed = true;
    return v;
  });
  return changed ? out : before;
}

function sameHost(a: VirtualHost, b: VirtualHost): boolean {
  const { routes: ra, domains: da, ...restA } = a;
  const { routes: rb, domains: db, ...restB } = b;
  return ra.length === rb.length && ra.every((r, i) => r === rb[i]) && da.length === db.length && da.every((d, i) => d === db[i]) && isDeepStrictEqual(restA, restB);
}
