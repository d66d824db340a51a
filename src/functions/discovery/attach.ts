// Puts function discovery in front of a gateway's source and points it at the served snapshot:
// an Upstream's endpoints are those of its cluster (`upstream:<namespace>/<name>`), and each new
// snapshot wakes the Upstreams still waiting for endpoints.
import type { Logger } from '../../log.ts';
import { findSorted } from '../../snapshot/list-diff.ts';
import type { SnapshotFeed } from '../../snapshot/feed.ts';
import type { Source } from '../../sources/types.ts';
import { discover } from './discover.ts';
import { DiscoveringSource } from './source.ts';

export function withFunctionDiscovery(source: Source, log?: Logger): DiscoveringSource {
  return new DiscoveringSource(source, discover, log);
}

/** Feeds `d` the snapshots `feed` serves; returns the unsubscription. */
export function followSnapshots(d: DiscoveringSource, feed: SnapshotFeed): () => void {
  // Snapshot clusters are sorted by name: a binary search, as a function call finds them.
  d.endpointsFrom((key) => {
    const clusters = feed.current()?.clusters;
    return (clusters === undefined ? undefined : findSorted(clusters, (c) => c.name, `upstream:${key}`))?.endpoints ?? [];
  });
  return feed.subscribe(() => d.poke());
}
