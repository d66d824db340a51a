// Admin /metrics with `serve --workers N`: the primary asks every worker for its registry (as JSON,
// over the cluster IPC channel) and sums it with its own, with prom-client's AggregatorRegistry.
// The workers count requests; the primary alone reads and translates configuration for the admin
// endpoint, so the config metrics are the primary's (every worker re-translates the relayed states:
// its own would count each reload once more per worker).
import type { Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

export type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

const REQUEST = 'sluice:metrics-request';
const ANSWER = 'sluice:metrics-answer';
const PRIMARY_ONLY = new Set(['sluice_config_reloads_total', 'sluice_config_rejects_total', 'sluice_snapshot_version']);

interface Answer {
  readonly type: typeof ANSWER;
  readonly id: number;
  readonly metrics: MetricsJson;
}

/** In a worker: answers the primary's requests for this registry's metrics. */
export function answerMetricsRequests(registry: Registry): () => void {
  const onMessage = (m: unknown): void => {
    if (typeof m !== 'object' || m === null || (m as { type?: unknown }).type !== REQUEST) return;
    const id = (m as { id?: unknown }).id;
    void registry.getMetricsAsJSON().then(
      // Structured clone carries data only: keep the fields aggregation reads.
      (metrics) => process.send?.({ type: ANSWER, id, metrics: metrics.map(({ name, help, type, aggregator, values }) => ({ name, help, type, aggregator, values })) }),
      () => process.send?.({ type: ANSWER, id, metrics: [] }),
    );
  };
  process.on('message', onMessage);
  return () => void process.off('message', onMessage);
}

interface Pending {
  readonly waiting: Set<number>;
  readonly got: Map<number, MetricsJson>;
  readonly finish: () => void;
}

/** In the primary: asks running workers for their metrics. */
export class WorkerMetrics {
  #nextId = 0;
  readonly #pending = new Map<number, Pending>();
  /** each worker's last answer, by slot */
  readonly #last = new Map<number, MetricsJson>();

  /**
   * Each running worker's metrics by slot. A worker that does not answer within `timeoutMs` (busy
   * translating a large configuration) counts with its last answer: leaving it out would make the
   * summed counters go down, which Prometheus reads as a restart.
   */
  gather(workers: ReadonlyMap<number, Worker>, timeoutMs = 2_000): Promise<Map<number, MetricsJson>> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const got = new Map<number, MetricsJson>();
      const waiting = new Set<number>();
      const timer = setTimeout(() => finish(), timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.#pending.delete(id);
        for (const index of waiting) {
          const last = this.#last.get(index);
          if (last) got.set(index, last);
        }
        resolve(got);
      };
      this.#pending.set(id, { waiting, got, finish });
      for (const [index, w] of workers) {
        if (!w.isConnected()) continue;
        waiting.add(index);
        w.send({ type: REQUEST, id }, undefined, undefined, () => {});
      }
      if (waiting.size === 0) finish();
    });
  }

  /** Feed every message from the worker in slot `index` here; true when it was an answer. */
  onMessage(index: number, m: unknown): boolean {
    if (typeof m !== 'object' || m === null || (m as { type?: unknown }).type !== ANSWER) return false;
    const a = m as Answer;
    const p = this.#pending.get(a.id);
    if (Array.isArray(a.metrics)) this.#last.set(index, a.metrics);
    if (p?.waiting.delete(index)) {
      if (Array.isArray(a.metrics)) p.got.set(index, a.metrics);
      if (p.waiting.size === 0) p.finish();
    }
    return true;
  }

  /** A worker that exits is no longer waited for. */
  onExit(index: number): void {
    this.#last.delete(index);
    for (const p of this.#pending.values()) if (p.waiting.delete(index) && p.waiting.size === 0) p.finish();
  }
}

/** The primary's registry summed with the workers' (their config metrics left out: see the top). */
export async function aggregateMetrics(primary: Registry, workers: Iterable<MetricsJson>): Promise<string> {
  return (await aggregated(primary, workers)).metrics();
}

/** The same as JSON (the status page's live rates). */
export async function aggregateMetricsJson(primary: Registry, workers: Iterable<MetricsJson>): Promise<MetricsJson> {
  return (await aggregated(primary, workers)).getMetricsAsJSON();
}

async function aggregated(primary: Registry, workers: Iterable<MetricsJson>): Promise<Registry> {
  const all: MetricsJson[] = [await primary.getMetricsAsJSON()];
  for (const w of workers) all.push(w.filter((m) => !PRIMARY_ONLY.has(m.name)));
  return AggregatorRegistry.aggregate(all);
}

/** The total of `sluice_requests_total` in one registry's metrics. */
export function requestCount(metrics: MetricsJson): number {
  const m = metrics.find((x) => x.name === 'sluice_requests_total');
  return m ? m.values.reduce((sum, v) => sum + v.value, 0) : 0;
}
