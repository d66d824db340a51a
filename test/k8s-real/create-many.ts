// Many Knative Ingresses created at once against a real API server, as Knative creates them for a burst
// of new Services: each app's Service through the API and its EndpointSlice straight into etcd (loopback
// addresses are refused by the API server) first, then the ingresses, several at a time. Measures the
// time until every one is Ready in status (a watch from before the first create), the leader's status
// writes from the audit log, and the leader's RSS. Shared by test/k8s-real/create-many-ready.test.ts and
// bench/scale-k8s-real.ts.
import { readFileSync } from 'node:fs';
import type { RealApiServer } from '../support/real-apiserver.ts';
import type { KIngress } from '../../src/api/types.ts';
import { KubeClient } from '../../src/k8s/client.ts';
import { Reflector } from '../../src/k8s/reflector.ts';
import { createIngress, createNamespace, createService, INGRESSES, kingress, putSlice, readyNow, waitFor } from './cluster.ts';

export interface CreateManyOptions {
  readonly namespace: string;
  /** the port of the upstream every app's EndpointSlice names */
  readonly upstreamPort: number;
  /** the leader's pid, for its RSS */
  readonly leaderPid: number;
  /** creates in flight at once (default 16) */
  readonly concurrency?: number;
  /** how long all may take to become Ready (default 120 s) */
  readonly boundMs?: number;
}

export interface CreateManyResult {
  readonly n: number;
  /** ms to set up the Services and EndpointSlices (not timed below) */
  readonly setupMs: number;
  /** ms from the first create to the last create answered */
  readonly createdMs: number;
  /** ms from the first create until every ingress was Ready (for its generation) in a watch event */
  readonly allReadyMs: number;
  /** status updates Sluice made to these ingresses that the API server accepted, and refused with 409 */
  readonly statusWrites: number;
  readonly conflicts: number;
  /** the most accepted status writes in any one second */
  readonly busiestSecond: number;
  /** the leader's RSS (MiB) when all were Ready, and the most seen while they became so */
  readonly rssAtReadyMiB: number;
  readonly rssMaxMiB: number;
  /** per ingress, ms from its create answered to Ready seen: the median, the 90th percentile and the most */
  readonly lagMs: { readonly p50: number; readonly p90: number; readonly max: number };
}

export const rssMiB = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/** Runs `step` for each of 0..n-1, `limit` at a time. */
async function eachLimited(n: number, limit: number, step: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < n) await step(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, lane));
}

interface TimedAuditEvent {
  readonly stage: string;
  readonly verb: string;
  readonly userAgent?: string;
  readonly stageTimestamp?: string;
  readonly objectRef?: { readonly resource?: string; readonly subresource?: string; readonly namespace?: string };
  readonly responseStatus?: { readonly code?: number };
}

export async function createManyReady(api: RealApiServer, n: number, o: CreateManyOptions): Promise<CreateManyResult> {
  const ns = o.namespace;
  const limit = o.concurrency ?? 16;
  const t0 = performance.now();
  await createNamespace(api, ns);
  // The apps' revisions exist before their ingresses, as in Knative.
  await eachLimited(n, limit, async (i) => {
    await createService(api, ns, `app-${i}`);
    await putSlice(api, ns, `app-${i}-x7k2p`, `app-${i}`, o.upstreamPort);
  });
  const setupMs = performance.now() - t0;

  // A watch that resumes: the API server drops a watcher that falls behind a burst of events (its
  // buffer is small), and a plain watch would then wait forever. Every object seen passes `project`.
  const readyAt = new Map<string, number>();
  const w = new Reflector(new KubeClient(KubeClient.load(api.kubeconfigPath).credentials, null), {
    path: `${INGRESSES}/namespaces/${ns}/ingresses`,
    onChange: () => {},
    project: (obj) => {
      const ing = obj as unknown as KIngress;
      if (readyNow(ing) && !readyAt.has(ing.metadata.name!)) readyAt.set(ing.metadata.name!, performance.now());
      return obj;
    },
  });
  w.start();
  await w.synced;
  let rssMax = 0;
  const sampler = setInterval(() => (rssMax = Math.max(rssMax, rssMiB(o.leaderPid))), 100);
  try {
    const start = performance.now();
    const createdAt = new Map<string, number>();
    await eachLimited(n, limit, async (i) => {
      await createIngress(api, kingress(ns, `app-${i}`, `app-${i}.${ns}.example`, [{ service: `app-${i}`, percent: 100 }]));
      createdAt.set(`app-${i}`, performance.now());
    });
    const createdMs = performance.now() - start;
    await waitFor(`all ${n} ingresses Ready (${readyAt.size} so far)`, o.boundMs ?? 120_000, () => readyAt.size === n);
    const allReadyMs = Math.max(...readyAt.values()) - start;
    // Whether Sluice keeps up while they are created (a steady lag) or falls behind (a lag growing to the last).
    const lags = [...readyAt].map(([name, at]) => at - (createdAt.get(name) ?? start)).sort((a, b) => a - b);
    const lagMs = { p50: lags[Math.floor(lags.length / 2)]!, p90: lags[Math.floor(lags.length * 0.9)]!, max: lags[lags.length - 1]! };
    const rssAtReadyMiB = rssMiB(o.leaderPid);
    rssMax = Math.max(rssMax, rssAtReadyMiB);
    // The audit log is written as requests complete (blocking mode): every write answered is in it.
    const writes = (api.auditEvents() as unknown as TimedAuditEvent[]).filter(
      (e) => e.stage === 'ResponseComplete' && e.verb === 'update' && e.objectRef?.resource === 'ingresses' && e.objectRef.subresource === 'status' && e.objectRef.namespace === ns && e.userAgent?.startsWith('sluice/') === true,
    );
    const accepted = writes.filter((e) => e.responseStatus?.code === 200).map((e) => Date.parse(e.stageTimestamp ?? '')).sort((a, b) => a - b);
    let busiest = 0;
    for (let i = 0, j = 0; i < accepted.length; i++) {
      while (accepted[j]! < accepted[i]! - 1000) j++;
      busiest = Math.max(busiest, i - j + 1);
    }
    return {
      n,
      setupMs,
      createdMs,
      allReadyMs,
      statusWrites: accepted.length,
      conflicts: writes.filter((e) => e.responseStatus?.code === 409).length,
      busiestSecond: busiest,
      rssAtReadyMiB,
      rssMaxMiB: rssMax,
      lagMs,
    };
  } finally {
    clearInterval(sampler);
    w.stop();
  }
}
