// The readiness prober against real HTTP servers standing in for gateway replicas.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { Prober, PROBE_CONCURRENCY, replicasFromSlices, type Replica } from '../../src/k8s/prober.ts';
import type { EndpointSlice } from '../../src/api/types.ts';
import { waitFor } from './helpers.ts';

/** A fake replica serving `hashes` (per host) and recording the probes it gets. */
async function replica(hashes: Map<string, string>): Promise<{ server: Server; r: Replica; probes: string[] }> {
  const probes: string[] = [];
  const server = createServer((req, res) => {
    probes.push(`${req.headers.host} ${req.headers['k-network-hash']}`);
    // Only answers the way the gateway does for `override`: with the hash of the config it holds.
    const served = hashes.get(req.headers.host ?? '');
    if (req.headers['k-network-probe'] !== 'probe' || req.headers['k-network-hash'] !== 'override' || served === undefined) return res.writeHead(404).end();
    // Answers with the hash of the version it serves, so a replica behind on config is told apart.
    res.writeHead(200, { 'k-network-hash': served }).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, r: { address: '127.0.0.1', port: (server.address() as { port: number }).port }, probes };
}

describe('Prober', () => {
  const servers: Server[] = [];
  const probers: Prober[] = [];
  after(() => {
    for (const p of probers) p.stop();
    for (const s of servers) s.close();
  });

  it('picks the ready endpoints of the slices on the named port', () => {
    const s = (name: string, addrs: Array<[string, boolean]>, ports: Array<[string, number]>): EndpointSlice => ({
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name },
      endpoints: addrs.map(([a, ready]) => ({ addresses: [a], conditions: { ready } })),
      ports: ports.map(([n, port]) => ({ name: n, port })),
    });
    assert.deepEqual(replicasFromSlices([s('a', [['10.0.0.2', true], ['10.0.0.3', false]], [['https', 8443], ['http', 8080]]), s('b', [['10.0.0.1', true]], [['http', 9000]])]), [
      { address: '10.0.0.1', port: 9000 },
      { address: '10.0.0.2', port: 8080 },
    ]);
  });

  it('is ready only when every replica serves the hash, on each visibility, and re-probes new replicas', async () => {
    const h1 = new Map([['a.example', 'h1'], ['a.ns.svc.cluster.local', 'h1']]);
    const h2 = new Map([['a.example', 'old'], ['a.ns.svc.cluster.local', 'h1']]);
    const [one, two, local] = await Promise.all([replica(h1), replica(h2), replica(h1)]);
    servers.push(one.server, two.server, local.server);
    const publicReplicas: Replica[] = [one.r, two.r];
    const ready: string[] = [];
    const prober = new Prober({ publicReplicas: () => publicReplicas, localReplicas: () => [local.r], onReady: (k, h) => ready.push(`${k} ${h}`), minBackoffMs: 20, maxBackoffMs: 100 });
    probers.push(prober);
    prober.setTargets([{ key: 'ns/a', hash: 'h1', externalHost: 'a.example', localHost: 'a.ns.svc.cluster.local' }]);
    await waitFor(() => two.probes.length >= 3, 5000, 'replica two probed repeatedly');
    assert.equal(prober.isReady('ns/a', 'h1'), false, 'replica two serves an old hash');
    assert.ok(local.probes.includes('a.ns.svc.cluster.local override'), 'local host probed on the local replica');
    assert.ok(!one.probes.some((p) => p.startsWith('a.ns.svc')), 'local host not probed on public replicas');
    h2.set('a.example', 'h1'); // replica two catches up
    await waitFor(() => prober.isReady('ns/a', 'h1'), 5000, 'ready');
    assert.deepEqual(ready, ['ns/a h1']);
    const oneBefore = one.probes.length;
    const three = await replica(h1);
    servers.push(three.server);
    publicReplicas.push(three.r);
    prober.replicasChanged();
    await waitFor(() => three.probes.includes('a.example override'), 5000, 'new replica probed');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(one.probes.length, oneBefore, 'replicas that already answered are not probed again');
    prober.setTargets([{ key: 'ns/a', hash: 'h2', externalHost: 'a.example' }]);
    assert.equal(prober.isReady('ns/a', 'h2'), false, 'a new hash starts over');
    for (const m of [h1, h2]) m.set('a.example', 'h2');
    await waitFor(() => prober.isReady('ns/a', 'h2'), 5000, 'ready for the new hash');
  });

  it('is not ready while there are no replicas, and becomes ready when one appears', async () => {
    const one = await replica(new Map([['b.example', 'hb']]));
    servers.push(one.server);
    const reps: Replica[] = [];
    const prober = new Prober({ publicReplicas: () => reps, localReplicas: () => [], onReady: () => {}, minBackoffMs: 20, maxBackoffMs: 100 });
    probers.push(prober);
    prober.setTargets([{ key: 'ns/b', hash: 'hb', externalHost: 'b.example' }]);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(prober.isReady('ns/b', 'hb'), false);
    reps.push(one.r);
    prober.replicasChanged();
    await waitFor(() => prober.isReady('ns/b', 'hb'), 5000, 'ready after a replica appears');
  });

  it('calls an ingress unchecked, not failed, while there is no replica to probe (a new leader before its own endpoints are listed)', async () => {
    let asked = 0;
    const checked: string[] = [];
    const none = (): Replica[] => {
      asked++;
      return [];
    };
    const prober = new Prober({ publicReplicas: none, localReplicas: () => [], onReady: () => {}, onChecked: (k) => checked.push(k), minBackoffMs: 5, maxBackoffMs: 10 });
    probers.push(prober);
    prober.setTargets([{ key: 'ns/d', hash: 'hd', externalHost: 'd.example' }]);
    await waitFor(() => asked >= 12, 5000, 'several probing rounds');
    // No probe found a replica without the hash, so the status writer must keep a Ready written before.
    assert.equal(prober.check('ns/d', 'hd'), 'unchecked');
    assert.deepEqual(checked, []);
  });

  it('runs at most `concurrency` rounds at once: 1,000 targets do not park 1,000 rounds of probes', async () => {
    // Probes held until released: what the prober starts meanwhile is what a new leader's first
    // minutes hold (each round's probes, closures and promises, which would outlive the young generation).
    let replicaReads = 0;
    const held: Array<() => void> = [];
    let holding = true;
    const prober = new Prober({
      publicReplicas: () => {
        replicaReads++;
        return [{ address: '127.0.0.1', port: 1 }, { address: '127.0.0.2', port: 1 }];
      },
      localReplicas: () => [],
      onReady: () => {},
      concurrency: 4,
      probe: () => (holding ? new Promise((resolve) => held.push(() => resolve(true))) : Promise.resolve(true)),
    });
    probers.push(prober);
    const targets = Array.from({ length: 1000 }, (_, i) => ({ key: `ns/t${i}`, hash: 'h', externalHost: `t${i}.example` }));
    prober.setTargets(targets);
    await new Promise((r) => setImmediate(r));
    assert.equal(prober.roundsRunning, 4);
    assert.equal(replicaReads, 4, 'only the rounds started read the replicas');
    assert.equal(held.length, 4, 'probes in flight bounded too');
    // Released, every target gets its round and is ready.
    holding = false;
    for (const release of held.splice(0)) release();
    await waitFor(() => targets.every((t) => prober.isReady(t.key, 'h')), 10_000, 'every target ready');
    assert.ok(prober.roundsRunning <= 4);
  });

  it('with no `concurrency` given, rounds and probes in flight share one default bound', async () => {
    const held: Array<() => void> = [];
    const prober = new Prober({
      publicReplicas: () => [{ address: '127.0.0.1', port: 1 }, { address: '127.0.0.2', port: 1 }],
      localReplicas: () => [],
      onReady: () => {},
      probe: () => new Promise((resolve) => held.push(() => resolve(true))),
    });
    probers.push(prober);
    const targets = Array.from({ length: PROBE_CONCURRENCY * 3 }, (_, i) => ({ key: `ns/d${i}`, hash: 'h', externalHost: `d${i}.example` }));
    prober.setTargets(targets);
    await new Promise((r) => setImmediate(r));
    assert.equal(prober.roundsRunning, PROBE_CONCURRENCY);
    assert.equal(held.length, PROBE_CONCURRENCY);
    prober.stop();
    for (const release of held.splice(0)) release();
  });

  it('treats an unreachable replica as not ready (bounded timeout), never as ready', async () => {
    const closed = await replica(new Map());
    await new Promise<void>((r) => closed.server.close(() => r()));
    const prober = new Prober({ publicReplicas: () => [closed.r], localReplicas: () => [], onReady: () => {}, minBackoffMs: 20, maxBackoffMs: 50, timeoutMs: 200 });
    probers.push(prober);
    prober.setTargets([{ key: 'ns/c', hash: 'hc', externalHost: 'c.example' }]);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(prober.isReady('ns/c', 'hc'), false);
  });
});
