// Kubernetes mode against a real kube-apiserver and etcd (test/support/real-apiserver.ts; the binaries
// as test/k8s-real needs them): one `sluice serve --kubernetes` leads, then N Knative Ingresses are
// created at once, each with its Service (through the API) and EndpointSlice (into etcd) made first:
//   node --import tsx bench/scale-k8s-real.ts [N=1000] [--concurrency 16] [--qps Q --burst B]
// prints the time until all N are Ready in status (from the first create), the leader's status writes
// (accepted, 409s, the most in any second, per second overall) and its RSS at ready, at most, and idle.
import { loadavg } from 'node:os';
import { startRealApiServer } from '../test/support/real-apiserver.ts';
import { startUpstream } from '../test/support/upstream.ts';
import { startSluice } from '../test/support/sluice.ts';
import { bins, createNamespace, INGRESSES, installKnative, leaseHolder, publishReplica, readyNow, waitFor } from '../test/k8s-real/cluster.ts';
import type { KIngress } from '../src/api/types.ts';
import { createManyReady, rssMiB } from '../test/k8s-real/create-many.ts';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const concurrency = Number(flag('--concurrency') ?? 16);
const qps = flag('--qps');
const burst = flag('--burst');
const n = Number(args[0] ?? 1000);
if (bins.missing) {
  console.log(`skipped: ${bins.missing}`);
  process.exit(0);
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const api = await startRealApiServer(bins);
const up = await startUpstream('web');
let leader: Awaited<ReturnType<typeof startSluice>> | undefined;
try {
  await installKnative(api);
  await createNamespace(api, 'sluice-system');
  leader = await startSluice(
    ['serve', '--kubernetes', '--kubeconfig', api.kubeconfigPath, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--id', 'r1', '--lease-duration', '3', ...(qps ? ['--kube-api-qps', qps] : []), ...(burst ? ['--kube-api-burst', burst] : [])],
    ['http', 'local', 'admin'],
    { boundMs: 60_000, env: { SLUICE_LOG_LEVEL: 'info' } },
  );
  await publishReplica(api, 'r1', leader);
  await waitFor('r1 to hold the Lease', 20_000, async () => (await leaseHolder(api)) === 'r1');
  const pid = leader.child.pid!;
  console.log(`real API server up in ${api.startupMs} ms; leader RSS ${rssMiB(pid).toFixed(0)} MiB; load average ${load()}`);
  const r = await createManyReady(api, n, { namespace: 'burst', upstreamPort: up.port, leaderPid: pid, concurrency, boundMs: Number(process.env.SLUICE_BENCH_BOUND_MS ?? 300_000) });
  console.log(`${n} Services and EndpointSlices made in ${(r.setupMs / 1000).toFixed(1)} s; ${n} ingresses created (${concurrency} at a time) in ${(r.createdMs / 1000).toFixed(1)} s`);
  console.log(`each Ready ${r.lagMs.p50.toFixed(0)} ms after its create was answered (median), ${r.lagMs.p90.toFixed(0)} ms at the 90th percentile, ${r.lagMs.max.toFixed(0)} ms at most`);
  console.log(`all ${n} Ready in status ${(r.allReadyMs / 1000).toFixed(1)} s after the first create; ${r.statusWrites} status writes (${r.conflicts} refused with 409), ${(r.statusWrites / (r.allReadyMs / 1000)).toFixed(0)} a second overall, at most ${r.busiestSecond} in any second`);
  await new Promise((res) => setTimeout(res, 5000));
  console.log(`leader RSS ${r.rssAtReadyMiB.toFixed(0)} MiB when all were Ready, at most ${r.rssMaxMiB.toFixed(0)} MiB, ${rssMiB(pid).toFixed(0)} MiB after 5 s idle; load average ${load()}`);
} catch (err) {
  // What the leader said, but its access log: why statuses did not come.
  console.log((leader?.lines ?? []).filter((l) => !l.includes('"request"') && !l.includes('serving configuration')).slice(-40).join('\n'));
  const codes = new Map<string, number>();
  for (const e of api.auditEvents()) {
    if (e.stage !== 'ResponseComplete' || e.objectRef?.resource !== 'ingresses') continue;
    const k = `${e.verb}${e.objectRef.subresource ? `/${e.objectRef.subresource}` : ''} ${e.responseStatus?.code}`;
    codes.set(k, (codes.get(k) ?? 0) + 1);
  }
  console.log('ingress requests by verb and answer:', Object.fromEntries(codes));
  const items = (await api.request<{ items: KIngress[] }>('GET', `${INGRESSES}/namespaces/burst/ingresses`)).body.items;
  console.log(`listed now: ${items.length} ingresses, ${items.filter(readyNow).length} Ready for their generation; not: ${JSON.stringify(items.find((i) => !readyNow(i))?.status)} generation ${items.find((i) => !readyNow(i))?.metadata.generation}`);
  if (leader) {
    const st = (await (await fetch(`http://${leader.addresses.admin}/status`)).json()) as { ingresses: Array<{ conditions: Array<{ type: string; status: string; reason?: string }> }> };
    const lb = new Map<string, number>();
    for (const i of st.ingresses) for (const c of i.conditions) if (c.type === 'LoadBalancerReady') lb.set(`${c.status} ${c.reason ?? ''}`, (lb.get(`${c.status} ${c.reason ?? ''}`) ?? 0) + 1);
    console.log(`leader /status: ${st.ingresses.length} ingresses; LoadBalancerReady:`, Object.fromEntries(lb));
  }
  throw err;
} finally {
  await leader?.stop();
  await up.close();
  await api.stop();
}
