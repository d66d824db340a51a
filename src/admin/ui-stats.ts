// Live request rate, error rate and latency per route and per cluster for the status page, read from
// the metrics registry (no cost on the request path): each call samples the counters and histograms,
// and rates come from the difference with a sample a few seconds older.
import type { MetricsJson } from './cluster-metrics.ts';

/** Cumulative counts of one route or cluster at one moment. */
interface Totals {
  requests: number;
  /** 5xx answers */
  errors: number;
  /** cumulative histogram bucket counts, by the `le` bounds of the histogram */
  buckets: number[];
}

interface Sample {
  /** ms */
  readonly at: number;
  /** route (ingress label) -> totals */
  readonly routes: Map<string, Totals>;
  /** cluster -> totals */
  readonly clusters: Map<string, Totals>;
  readonly bounds: { readonly routes: number[]; readonly clusters: number[] };
}

export interface Rates {
  /** requests per second */
  readonly rps: number;
  /** 5xx answers per second */
  readonly errorsPerSecond: number;
  /** seconds; null without requests in the window */
  readonly p50: number | null;
  readonly p99: number | null;
}

const NO_RATES: Rates = { rps: 0, errorsPerSecond: 0, p50: null, p99: null };

/** The closest two kept samples may be. */
const MIN_STEP_MS = 250;

/** Reads metrics into samples and answers rates over the last `windowMs`. */
export class LiveStats {
  readonly #samples: Sample[] = [];
  readonly #windowMs: number;
  readonly #now: () => number;

  constructor(windowMs = 5_000, now: () => number = () => Date.now()) {
    this.#windowMs = windowMs;
    this.#now = now;
  }

  get sampleCount(): number {
    return this.#samples.length;
  }

  /** Takes a sample; then rates per route and per cluster since the sample nearest `windowMs` ago. */
  update(metrics: MetricsJson): { routes: Map<string, Rates>; clusters: Map<string, Rates> } {
    const now = this.#now();
    const s = sampleOf(metrics, now);
    // Several pages polling at once (or a loop) must not grow the samples: one per MIN_STEP_MS.
    const n = this.#samples.length;
    if (n > 1 && now - this.#samples[n - 2]!.at < MIN_STEP_MS) this.#samples[n - 1] = s;
    else this.#samples.push(s);
    // Keep samples back to one window before now (and at least the previous one).
    while (this.#samples.length > 2 && this.#samples[1]!.at <= now - this.#windowMs) this.#samples.shift();
    const base = this.#samples.length > 1 ? this.#samples[0]! : undefined;
    return {
      routes: ratesOf(s.routes, base?.routes, s.bounds.routes, s.at - (base?.at ?? s.at)),
      clusters: ratesOf(s.clusters, base?.clusters, s.bounds.clusters, s.at - (base?.at ?? s.at)),
    };
  }
}

function ratesOf(now: Map<string, Totals>, before: Map<string, Totals> | undefined, bounds: number[], ms: number): Map<string, Rates> {
  const out = new Map<string, Rates>();
  for (const [key, t] of now) {
    const b = before?.get(key);
    if (before === undefined || ms <= 0) {
      out.set(key, NO_RATES);
      continue;
    }
    const seconds = ms / 1000;
    const delta = t.buckets.map((n, i) => n - (b?.buckets[i] ?? 0));
    out.set(key, {
      rps: (t.requests - (b?.requests ?? 0)) / seconds,
      errorsPerSecond: (t.errors - (b?.errors ?? 0)) / seconds,
      p50: quantile(0.5, bounds, delta),
      p99: quantile(0.99, bounds, delta),
    });
  }
  return out;
}

/**
 * The q-quantile of cumulative bucket counts (`counts[i]`: observations <= bounds[i], the last bound
 * +Inf), interpolated linearly within the bucket as Prometheus's histogram_quantile does.
 */
export function quantile(q: number, bounds: readonly number[], counts: readonly number[]): number | null {
  const total = counts[counts.length - 1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i]! < rank) continue;
    const upper = bounds[i]!;
    const lower = i === 0 ? 0 : bounds[i - 1]!;
    // Beyond the last finite bound nothing is known but that bound.
    if (!Number.isFinite(upper)) return lower;
    const below = i === 0 ? 0 : counts[i - 1]!;
    const inBucket = counts[i]! - below;
    return inBucket <= 0 ? upper : lower + (upper - lower) * ((rank - below) / inBucket);
  }
  return bounds[bounds.length - 2] ?? null;
}

function sampleOf(metrics: MetricsJson, at: number): Sample {
  const routes = new Map<string, Totals>();
  const clusters = new Map<string, Totals>();
  const get = (m: Map<string, Totals>, key: string): Totals => {
    let t = m.get(key);
    if (t === undefined) m.set(key, (t = { requests: 0, errors: 0, buckets: [] }));
    return t;
  };
  const bounds = { routes: [] as number[], clusters: [] as number[] };
  for (const metric of metrics) {
    switch (metric.name) {
      case 'sluice_requests_total':
      case 'sluice_upstream_requests_total': {
        const into = metric.name === 'sluice_requests_total' ? routes : clusters;
        const label = metric.name === 'sluice_requests_total' ? 'ingress' : 'cluster';
        for (const v of metric.values) {
          const key = String(v.labels[label] ?? '');
          // Requests no route took (404s, probes) have no route to show.
          if (key === '') continue;
          const t = get(into, key);
          t.requests += v.value;
          if (String(v.labels.code ?? '').startsWith('5')) t.errors += v.value;
        }
        break;
      }
      case 'sluice_request_duration_seconds':
      case 'sluice_upstream_response_head_seconds': {
        const routeSide = metric.name === 'sluice_request_duration_seconds';
        const into = routeSide ? routes : clusters;
        const label = routeSide ? 'ingress' : 'cluster';
        const les: number[] = [];
        for (const v of metric.values) {
          if (!(v as { metricName?: string }).metricName?.endsWith('_bucket')) continue;
          const le = v.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(v.labels.le);
          let i = les.indexOf(le);
          if (i < 0) i = les.push(le) - 1;
          const key = String(v.labels[label] ?? '');
          if (key === '') continue;
          const t = get(into, key);
          t.buckets[i] = (t.buckets[i] ?? 0) + v.value;
        }
        // prom-client lists each series' buckets in ascending order, so `les` is ascending.
        if (routeSide) bounds.routes = les;
        else bounds.clusters = les;
        break;
      }
    }
  }
  return { at, routes, clusters, bounds };
}
