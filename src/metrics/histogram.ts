// Histograms of the hot path: an observation is a bucket search over the bounds and three additions
// on the series the caller keeps. Buckets are counted per bucket and summed at scrape time, and
// the samples are listed as prom-client lists its own (same fields, order and `+Inf`), so the
// registry renders them identically.
import type { BucketExemplars } from '../observe/exemplars.ts';
import { Family, type Labels } from './family.ts';

export class HistogramSeries {
  readonly labels: Labels;
  readonly #bounds: readonly number[];
  /** observations per bucket (not cumulative); above the last bound only in `count` */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  /** its trace exemplars, from the first sampled trace on */
  exemplars: BucketExemplars | undefined = undefined;

  constructor(labels: Labels, bounds: readonly number[]) {
    this.labels = labels;
    this.#bounds = bounds;
    this.counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    // A duration that is not a number has nothing to count (prom-client would throw mid-request).
    if (!Number.isFinite(value)) return;
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    if (i < bounds.length) this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

/** A sample as prom-client's Histogram.getForPromString() lists it: series labels apart (`sharedLabels`). */
interface PromSample {
  labels: Record<string, string | number>;
  sharedLabels: Labels;
  value: number;
  metricName: string;
  exemplar: null | undefined;
}

export class HistogramFamily extends Family<HistogramSeries> {
  readonly type = 'histogram';
  readonly bounds: readonly number[];

  constructor(name: string, help: string, labelNames: readonly string[], bounds: readonly number[], owner?: string) {
    super(name, help, labelNames, owner);
    this.bounds = Object.freeze([...bounds]);
  }

  labels(...values: string[]): HistogramSeries {
    return this.child(...values);
  }

  /** What the registry renders as Prometheus text (le first, then the series' labels). */
  async getForPromString(): Promise<{ name: string; help: string; type: string; values: PromSample[]; aggregator: string }> {
    const bucket = `${this.name}_bucket`;
    const values: PromSample[] = [];
    for (const s of this.series.values()) {
      let acc = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        acc += s.counts[i]!;
        values.push({ labels: { le: this.bounds[i]! }, sharedLabels: s.labels, value: acc, metricName: bucket, exemplar: null });
      }
      values.push({ labels: { le: '+Inf' }, sharedLabels: s.labels, value: s.count, metricName: bucket, exemplar: null });
      values.push({ labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${this.name}_sum`, exemplar: undefined });
      values.push({ labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${this.name}_count`, exemplar: undefined });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** The JSON form (prom-client's get()): each sample's labels with the series' after `le`. */
  async get(): Promise<{ name: string; help: string; type: string; values: Array<Omit<PromSample, 'sharedLabels'>>; aggregator: string }> {
    const data = await this.getForPromString();
    const values = data.values.map(({ sharedLabels, labels, ...rest }) => ({ ...rest, labels: Object.assign(labels, sharedLabels) }));
    return { ...data, values };
  }

  protected create(labels: Labels): HistogramSeries {
    return new HistogramSeries(labels, this.bounds);
  }
}
