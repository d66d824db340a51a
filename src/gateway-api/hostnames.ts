// Gateway API host name rules (Listener.hostname and HTTPRoute.hostnames docs): `*.example.com`
// matches any name of one or more labels before `.example.com`, never `example.com` itself; a
// listener without a hostname matches every host. Names compare case-insensitively (lower-cased).

/** Whether host pattern `pattern` (exact or `*.`-wildcard) matches host name `host` (exact or wildcard). */
export function covers(pattern: string | undefined, host: string): boolean {
  if (pattern === undefined || pattern === '' || pattern === host) return true;
  if (!pattern.startsWith('*.')) return false;
  const suffix = pattern.slice(1);
  return host.length > suffix.length && host.endsWith(suffix);
}

/**
 * The host names a route serves on a listener: the intersection of the listener's hostname with
 * each of the route's (the more specific of two that match), or the listener's own (`*` when it has
 * none) when the route names none. Empty: no intersection (NoMatchingListenerHostname).
 */
export function routeHostsOnListener(listenerHost: string | undefined, routeHosts: readonly string[] | undefined): string[] {
  const lh = listenerHost === undefined || listenerHost === '' ? undefined : listenerHost.toLowerCase();
  if (routeHosts === undefined || routeHosts.length === 0) return [lh ?? '*'];
  const out = new Set<string>();
  for (const raw of routeHosts) {
    const h = raw.toLowerCase();
    if (covers(lh, h)) out.add(h);
    else if (lh !== undefined && covers(h, lh)) out.add(lh);
  }
  return [...out];
}

/** Specificity of a listener hostname for choosing among listeners: exact > longer wildcard > none. */
export function specificity(listenerHost: string | undefined): number {
  if (listenerHost === undefined || listenerHost === '') return 0;
  return listenerHost.startsWith('*.') ? listenerHost.length : 1_000 + listenerHost.length;
}
