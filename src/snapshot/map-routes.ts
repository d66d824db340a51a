// Rewrites every route of a snapshot's content (both Knative listeners and every Gateway port)
// through `f`, keeping the object of every virtual host, port and list whose routes `f` returned
// unchanged, so consumers that compare by identity see only what changed.
import type { PortListener, Route, SnapshotContent, VirtualHost } from './types.ts';

export type RouteMap = (route: Route, host: VirtualHost) => Route;

function hosts(list: readonly VirtualHost[], f: RouteMap): readonly VirtualHost[] {
  let changed = false;
  const out = list.map((vh) => {
    let touched = false;
    const routes = vh.routes.map((r) => {
      const n = f(r, vh);
      if (n !== r) touched = true;
      return n;
    });
    if (!touched) return vh;
    changed = true;
    return Object.freeze({ ...vh, routes });
  });
  return changed ? out : list;
}

/** The listeners and ports of `s` with every route mapped by `f` (the rest of `s` as it is). */
export function mapRoutes(s: SnapshotContent, f: RouteMap): Pick<SnapshotContent, 'listeners' | 'ports'> {
  return {
    listeners: Object.freeze({ external: hosts(s.listeners.external, f), local: hosts(s.listeners.local, f) }),
    ports: s.ports.map((p): PortListener => {
      const vhs = hosts(p.virtualHosts, f);
      return vhs === p.virtualHosts ? p : Object.freeze({ ...p, virtualHosts: vhs });
    }),
  };
}
