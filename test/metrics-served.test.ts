// ServedIndex follows swaps by their diffs and says which route and cluster names they took away.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServedIndex } from '../src/metrics/served.ts';
import type { SnapshotChange, SnapshotDiffs } from '../src/snapshot/change.ts';
import type { Cluster, PortListener, Snapshot, VirtualHost } from '../src/snapshot/types.ts';

const host = (ingress: string, routes: string[] = [ingress]): VirtualHost => ({ ingress, routes: routes.map((r) => ({ ingress: r })) }) as unknown as VirtualHost;
const port = (name: string, hosts: VirtualHost[]): PortListener => ({ name, virtualHosts: hosts }) as unknown as PortListener;
const cluster = (name: string): Cluster => ({ name }) as Cluster;
const snapshot = (external: VirtualHost[], ports: PortListener[], clusters: Cluster[]): Snapshot =>
  ({ listeners: { external, local: [] }, ports, clusters: [...clusters].sort((a, b) => (a.name < b.name ? -1 : 1)), functions: [{ name: 'fn' }] }) as unknown as Snapshot;
const none = { removed: [], added: [] };
const diffs = (d: Partial<SnapshotDiffs>): SnapshotDiffs => ({ clusters: none, external: none, local: none, ports: none, tls: none, ingresses: none, ...d }) as SnapshotDiffs;

describe('the served names index', () => {
  const a = host('default/a');
  const b = host('default/b', ['default/b', 'HTTPRoute default/b-extra']);
  const p = port('gateway/:80', [host('HTTPRoute default/web')]);

  it('names what a swap took away, and only that', () => {
    const idx = new ServedIndex();
    const first = snapshot([a, b], [p], [cluster('default/a:80'), cluster('default/b:80')]);
    assert.deepEqual(idx.follow({ snapshot: first, previous: undefined, diffs: undefined } as SnapshotChange), { ingresses: new Set(), clusters: new Set() });
    assert.ok(idx.ingress('HTTPRoute default/b-extra') && idx.ingress('HTTPRoute default/web') && idx.cluster('default/b:80') && idx.cluster('function:fn'));

    // b's host replaced by one without its extra route; p removed; a's cluster gone; a stale
    // removed item (never served) and an added one already served change nothing.
    const b2 = host('default/b');
    const second = snapshot([a, b2], [], [cluster('default/b:80')]);
    const gone = idx.follow({
      snapshot: second,
      previous: first,
      diffs: diffs({ external: { removed: [b, host('default/never')], added: [b2, a] }, ports: { removed: [p], added: [] }, clusters: { removed: [cluster('default/a:80')], added: [] } }),
    } as SnapshotChange);
    assert.deepEqual(gone, { ingresses: new Set(['HTTPRoute default/b-extra', 'HTTPRoute default/web']), clusters: new Set(['default/a:80']) });
    assert.ok(idx.ingress('default/a') && idx.ingress('default/b') && !idx.ingress('HTTPRoute default/web'));
  });

  it('names everything no longer served when a swap comes without diffs', () => {
    const idx = new ServedIndex();
    const first = snapshot([a, b], [p], [cluster('default/a:80')]);
    idx.follow({ snapshot: first, previous: undefined, diffs: undefined } as SnapshotChange);
    const gone = idx.follow({ snapshot: snapshot([a], [], []), previous: first, diffs: undefined } as SnapshotChange);
    assert.deepEqual(gone, { ingresses: new Set(['default/b', 'HTTPRoute default/b-extra', 'HTTPRoute default/web']), clusters: new Set(['default/a:80']) });
  });
});
