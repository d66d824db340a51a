// The admin endpoints `sluice get/describe/check/config dump` read besides /status and /config:
// `/upstreams` (upstreams.ts) and `/config_dump` (config-dump.ts).
import type { DiscoveryReport } from '../functions/discovery/source.ts';
import type { ObjectStatus, Snapshot } from '../snapshot/types.ts';
import type { ResourceSet } from '../store/types.ts';
import type { ListenerAddresses } from '../xds/common.ts';
import { configDump, defaultListenerAddresses } from './config-dump.ts';
import { upstreamReports } from './upstreams.ts';

export interface InspectSources {
  /** the resources the served snapshot was translated from (Pipeline.resources) */
  readonly resources?: () => ResourceSet;
  readonly objectStatuses?: () => readonly ObjectStatus[];
  readonly functionDiscovery?: () => readonly DiscoveryReport[];
  /** where the gateway's own listeners are bound, for the Envoy listeners of /config_dump */
  readonly listenerAddresses?: () => ListenerAddresses;
}

export const INSPECT_PATHS = ['/upstreams', '/config_dump'] as const;

type Answer = (status: number, body: unknown) => void;

/** Answers `path` when it is one of INSPECT_PATHS; false otherwise. */
export async function answerInspect(src: InspectSources, snapshot: Snapshot | undefined, path: string, answer: Answer): Promise<boolean> {
  if (path === '/upstreams') {
    const set = src.resources?.();
    if (set === undefined) answer(200, { upstreams: [] });
    else answer(200, { upstreams: upstreamReports(set, snapshot, src.objectStatuses?.() ?? [], src.functionDiscovery?.() ?? []) });
    return true;
  }
  if (path === '/config_dump') {
    if (snapshot === undefined) answer(503, { error: 'no configuration served yet' });
    else answer(200, await configDump(snapshot, src.listenerAddresses?.() ?? defaultListenerAddresses));
    return true;
  }
  return false;
}

