// What the prober keeps per target once it is ready: at 10,000 ingresses a new leader probes 10,000
// targets, and what each keeps afterwards is held for as long as the gateway leads. In a file of its
// own: the heap is measured, and no other test's prober may probe meanwhile.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { Prober, type Replica } from '../../src/k8s/prober.ts';
import { waitFor } from './helpers.ts';
import { heldByAsync } from '../support/heap-held.ts';

it('keeps little per ready target: the replicas that answered as one shared list, not a Set of new strings each', async () => {
  const replicas: Replica[] = [{ address: '10.0.0.1', port: 8080 }, { address: '10.0.0.2', port: 8080 }];
  const targetsOf = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `ns/t${i}`, hash: `h${i}`, externalHost: `t${i}.example` }));
  const probeAll = async (targets: ReturnType<typeof targetsOf>): Promise<Prober> => {
    let ready = 0;
    const prober = new Prober({ publicReplicas: () => replicas, localReplicas: () => [], onReady: () => ready++, probe: async () => true });
    prober.setTargets(targets);
    await waitFor(() => ready === targets.length, 10_000, 'every target ready');
    return prober;
  };
  // Once before measuring: what the first run compiles and sets up is not the targets' cost.
  (await probeAll(targetsOf(100))).stop();
  const targets = targetsOf(10_000);
  let prober: Prober | undefined;
  const held = await heldByAsync(async () => {
    prober = await probeAll(targets);
    return prober;
  });
  prober!.stop();
  // a Map entry and the target's state (~150 bytes); with a Set of two new id strings each, ~380
  assert.ok(held / targets.length < 260, `${(held / targets.length).toFixed(0)} bytes per ready target`);
});
