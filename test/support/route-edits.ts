// Gives every route of a running data plane response header edits, which no config file can
// express yet: the plane's router is wrapped so each compiled split carries `edits` as its
// `response`. Front ends read the router per request, so the edits apply from the next request.
import { DataPlane } from '../../src/proxy/dataplane.ts';
import type { CompiledSplit, HostEntry, Router } from '../../src/proxy/router.ts';
import type { HeaderEdits, ListenerKind } from '../../src/snapshot/types.ts';

export function editResponses(dp: DataPlane, edits: HeaderEdits): void {
  editSplits(dp, () => true, (s) => ({ ...s, response: edits }));
}

/**
 * Wraps the plane's router so every compiled split of the hosts `pick` accepts is `edit`ed: the
 * edited router is rebuilt once per router the plane publishes, and front ends read it per request.
 */
export function editSplits(dp: DataPlane, pick: (host: string) => boolean, edit: (s: CompiledSplit) => CompiledSplit): void {
  const own = Object.getOwnPropertyDescriptor(DataPlane.prototype, 'router')!.get!;
  let from: Router | undefined;
  let to: Router | undefined;
  Object.defineProperty(dp, 'router', {
    configurable: true,
    get(): Router | undefined {
      const r = own.call(dp) as Router | undefined;
      if (r !== from) {
        from = r;
        to = r === undefined ? undefined : withSplits(r, pick, edit);
      }
      return to;
    },
  });
}

function withSplits(r: Router, pick: (host: string) => boolean, edit: (s: CompiledSplit) => CompiledSplit): Router {
  const hosts: Record<ListenerKind, ReadonlyMap<string, HostEntry>> = {};
  for (const kind of Object.keys(r.hosts) as ListenerKind[]) {
    const table = new Map<string, HostEntry>();
    for (const [host, e] of r.hosts[kind] ?? []) {
      table.set(host, pick(host) ? { ...e, routes: e.routes.map((cr) => ({ ...cr, splits: cr.splits.map(edit) })) } : e);
    }
    hosts[kind] = table;
  }
  return { ...r, hosts: hosts as Router['hosts'] };
}
