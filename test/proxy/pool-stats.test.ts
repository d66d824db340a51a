// Upstream pool connections per cluster for sluice_upstream_connections: pools are per origin, a
// cluster's count sums its endpoints' over every pool kind; clusters without a pooled origin are left out.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { connectionsByCluster } from '../../src/proxy/pool-stats.ts';
import type { Cluster } from '../../src/snapshot/types.ts';

const cluster = (name: string, ports: number[]): Cluster => ({ name, protocol: 'http1', type: 'static', endpoints: ports.map((port) => ({ address: '10.0.0.1', port })) });

it('sums each cluster\'s endpoints over every pool kind, a shared endpoint counted in each cluster', () => {
  const undici = new Map([['http://10.0.0.1:1', { open: 2, idle: 1 }]]);
  const raw = new Map([['http://10.0.0.1:1', { open: 3, idle: 3 }], ['http://10.0.0.1:2', { open: 1, idle: 0 }]]);
  const rows = connectionsByCluster([cluster('a', [1, 2]), cluster('b', [2]), cluster('idle', [9])], [undici, raw]);
  assert.deepEqual(rows, [{ cluster: 'a', open: 6, idle: 4 }, { cluster: 'b', open: 1, idle: 0 }]);
  assert.deepEqual(connectionsByCluster([cluster('a', [1])], [new Map(), new Map()]), []);
});
