// IR header edits -> Envoy header mutations of one level (route or weighted cluster).
// Envoy applies one level's removals before its additions, and additions in order; the IR applies
// set, add, remove per filter and filters in order. Walking the edits in IR order and dropping an
// addition that a later removal undoes gives Envoy the same result.
import type { HeaderEdits } from '../snapshot/types.ts';
import type { ProtoObject } from './encode.ts';

export interface EnvoyHeaderEdits {
  readonly add?: ProtoObject[];
  readonly remove?: string[];
  /** a request `host` set: Envoy refuses `host` in mutations, so it becomes the host to rewrite to */
  readonly host?: string;
}

type Op = { readonly name: string; readonly value: string; readonly append: boolean } | { readonly name: string; readonly remove: true };

function ops(edits: readonly HeaderEdits[]): Op[] {
  return edits.flatMap((e) => [
    ...e.set.map(([name, value]) => ({ name, value, append: false })),
    ...e.add.map(([name, value]) => ({ name, value, append: true })),
    ...e.remove.map((name) => ({ name, remove: true as const })),
  ]);
}

/**
 * One level's mutations from edits applied in order. `request`: a `host` set becomes the host
 * rewrite (the last one wins), other edits of `host` are dropped (there is one Host, and it cannot
 * be removed), and pseudo-headers are dropped (Envoy refuses them). `%` starts a formatter command
 * in Envoy header values, so a literal one is doubled.
 */
export function headerMutations(edits: readonly HeaderEdits[], request: boolean): EnvoyHeaderEdits {
  const list = ops(edits).filter((o) => !o.name.startsWith(':'));
  let host: string | undefined;
  const add: ProtoObject[] = [];
  const removed: string[] = [];
  list.forEach((o, i) => {
    if (request && o.name === 'host') {
      if (!('remove' in o) && !o.append) host = o.value;
      return;
    }
    if ('remove' in o) {
      if (!removed.includes(o.name)) removed.push(o.name);
      return;
    }
    if (list.slice(i + 1).some((later) => 'remove' in later && later.name === o.name)) return;
    add.push({
      header: { key: o.name, value: o.value.replaceAll('%', '%%') },
      append_action: o.append ? 'APPEND_IF_EXISTS_OR_ADD' : 'OVERWRITE_IF_EXISTS_OR_ADD',
    });
  });
  return { add: add.length ? add : undefined, remove: removed.length ? removed : undefined, host };
}
