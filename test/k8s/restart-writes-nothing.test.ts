// A restart over ingresses already Ready writes no status: the new leader compares what it would
// write with what the list says and finds them equal. With 2,000 Ready ingresses a restart rewrote 811
// statuses (Ready -> Unknown -> Ready): thousands of probes at once to a process still warming up
// time out, and a probe that got no answer counted as a replica without the ingress's hash.
import assert from 'node:assert/strict';
import { freePort } from '../../bench/proc.ts';
import { after, before, describe, it } from 'node:test';
import { FakeApiServer, type KObject } from '../support/fake-apiserver.ts';
import { startSluice, type SluiceProcess } from '../support/sluice.ts';
import { loadApps, loadGatewayReplicas } from '../../bench/scale-k8s-apps.ts';
import { NAMESPACE, scaleAppName } from '../../bench/ingress-gen.ts';
import { waitFor } from './helpers.ts';

const N = Number(process.env.SLUICE_RESTART_INGRESSES ?? 600);
const INGRESS = 'networking.internal.knative.dev/v1alpha1';


const readyFor = (o: KObject | undefined): boolean => {
  const st = o?.status as { observedGeneration?: number; conditions?: Array<{ type: string; status: string }> } | undefined;
  return st?.observedGeneration === o?.metadata?.generation && st?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
};

describe(`restart over ${N} Ready ingresses (fake API server)`, () => {
  let api: FakeApiServer;
  let ports: [number, number];
  const procs: SluiceProcess[] = [];
  const start = async (): Promise<SluiceProcess> => {
    const p = await startSluice(
      ['serve', '--kubernetes', '--kubeconfig', api.kubeconfigPath, '--http', `127.0.0.1:${ports[0]}`, '--local', `127.0.0.1:${ports[1]}`, '--admin', '127.0.0.1:0', '--lease-duration', '3', '--kube-api-qps', '2000', '--kube-api-burst', '2000'],
      ['http', 'local', 'admin'],
      { boundMs: 120_000, env: { SLUICE_LOG_LEVEL: 'info' } },
    );
    procs.push(p);
    return p;
  };
  const allReady = (): boolean => {
    for (let i = 0; i < N; i++) if (!readyFor(api.get(INGRESS, 'Ingress', NAMESPACE, scaleAppName(i)))) return false;
    return true;
  };
  /** a new ingress: app 0's, under another name and host */
  const marker = (name: string): KObject => {
    const o = structuredClone(api.get(INGRESS, 'Ingress', NAMESPACE, scaleAppName(0))!);
    const spec = o.spec as { rules: Array<{ hosts: string[] }> };
    spec.rules = spec.rules.map((r) => ({ ...r, hosts: [`${name}.example.com`] }));
    return { apiVersion: o.apiVersion, kind: o.kind, metadata: { name, namespace: NAMESPACE, annotations: o.metadata!.annotations }, spec };
  };
  const statusWrites = (from: number): string[] => api.requests.slice(from).filter((r) => r.method === 'PUT' && r.path.endsWith('/status')).map((r) => r.path.split('/').at(-2)!);

  before(async () => {
    api = await FakeApiServer.start();
    loadApps(api, N);
    ports = [await freePort(), await freePort()];
    loadGatewayReplicas(api, ...ports);
  });
  after(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await api.close();
  });

  it('the new leader writes no status of an ingress already Ready', async () => {
    const first = await start();
    await waitFor(allReady, 100_000, `all ${N} Ready in status`);
    assert.equal(await first.stop('SIGTERM'), 0);
    const mark = api.requests.length;
    const second = await start();
    await second.waitForLog((e) => typeof e.msg === 'string' && e.msg.includes('is the leader'), 30_000);
    // Once the leader has written the status of an ingress made now, and has probed every older one
    // (its /status says so), it has decided about all of them.
    api.put(marker('marker'));
    await waitFor(() => readyFor(api.get(INGRESS, 'Ingress', NAMESPACE, 'marker')), 60_000, 'the marker Ready');
    await waitFor(
      async () => {
        const st = (await (await fetch(`http://${second.addresses.admin}/status`)).json()) as { ingresses: Array<{ conditions: Array<{ type: string; status: string }> }> };
        return st.ingresses.length === N + 1 && st.ingresses.every((i) => i.conditions.some((c) => c.type === 'LoadBalancerReady' && c.status === 'True'));
      },
      60_000,
      'the new leader to have probed every ingress',
    );
    // A write about to be made would be visible by the time a second marker is written.
    api.put(marker('marker-2'));
    await waitFor(() => readyFor(api.get(INGRESS, 'Ingress', NAMESPACE, 'marker-2')), 60_000, 'the second marker Ready');
    const rewritten = statusWrites(mark).filter((n) => !n.startsWith('marker'));
    assert.deepEqual(rewritten, [], `${rewritten.length} of ${N} Ready ingresses rewritten`);
  });
});
