// A metric family: its series by label values, resolved once into objects the hot path keeps, and
// registered on a prom-client Registry as a metric of its own, so the registry's text, JSON and
// the workers' aggregation render it exactly as prom-client's own metrics. Nothing here hashes a
// label set per observation: a series is found by its key once, then incremented directly.
import type { Metric, Registry } from 'prom-client';

export type Labels = Readonly<Record<string, string>>;

/** Label values joined: config names (listeners, ingresses, clusters) never contain NUL. */
export const seriesKey = (values: readonly string[]): string => (values.length === 1 ? values[0]! : values.join('\0'));

export abstract class Family<S extends { readonly labels: Labels }> {
  readonly name: string;
  readonly help: string;
  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  /** how the workers' values are summed (prom-client's AggregatorRegistry reads it) */
  readonly aggregator = 'sum';
  readonly labelNames: readonly string[];
  /** in first-observation order, as prom-client lists them */
  protected readonly series = new Map<string, S>();
  /** the label naming what a series belongs to (a route, a cluster): series go when it goes */
  readonly #owner: number;
  /** series keys by owner */
  readonly #owned = new Map<string, string[]>();
  /** owners whose first series came since the last takeFresh() */
  #fresh = new Set<string>();

  constructor(name: string, help: string, labelNames: readonly string[], owner?: string) {
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
    this.#owner = owner === undefined ? -1 : labelNames.indexOf(owner);
    if (owner !== undefined && this.#owner < 0) throw new Error(`${name}: owner label ${owner} is not one of its labels`);
  }

  /** The series with these label values (in labelNames order), made on first use. */
  child(...values: string[]): S {
    const key = seriesKey(values);
    let s = this.series.get(key);
    if (s === undefined) {
      this.series.set(key, (s = this.create(this.#labels(values))));
      if (this.#owner >= 0) {
        const owner = values[this.#owner]!;
        const keys = this.#owned.get(owner);
        if (keys !== undefined) keys.push(key);
        else {
          this.#owned.set(owner, [key]);
          this.#fresh.add(owner);
        }
      }
    }
    return s;
  }

  /** The series with these label values, if it has been made. */
  find(values: readonly string[]): S | undefined {
    return this.series.get(seriesKey(values));
  }

  /** The owners that have series. */
  owners(): IterableIterator<string> {
    return this.#owned.keys();
  }

  owns(owner: string): boolean {
    return this.#owned.has(owner);
  }

  /** The owners whose first series came since the last call (a request that ended on a removed route makes one). */
  takeFresh(): Set<string> {
    const fresh = this.#fresh;
    this.#fresh = new Set();
    return fresh;
  }

  /** Drops every series of `owner`. */
  drop(owner: string): void {
    for (const key of this.#owned.get(owner) ?? []) this.series.delete(key);
    this.#owned.delete(owner);
  }

  get size(): number {
    return this.series.size;
  }

  /** prom-client's resetMetrics() */
  reset(): void {
    this.series.clear();
    this.#owned.clear();
    this.#fresh.clear();
  }

  registerOn(registry: Registry): this {
    registry.registerMetric(this as unknown as Metric);
    return this;
  }

  protected abstract create(labels: Labels): S;

  #labels(values: readonly string[]): Labels {
    if (values.length !== this.labelNames.length) throw new Error(`${this.name}: ${values.length} label values for ${this.labelNames.length} labels`);
    const labels: Record<string, string> = {};
    this.labelNames.forEach((n, i) => (labels[n] = values[i]!));
    return labels;
  }
}

/** Counters and gauges: series holding one number, listed as prom-client lists them. */
export abstract class ValueFamily<S extends PlainValue> extends Family<S> {
  /** prom-client's `labels(...)`: for the paths that do not keep the series. */
  labels(...values: string[]): S {
    return this.child(...values);
  }

  async get(): Promise<PlainFamilyJson> {
    const values = [...this.series.values()].map((s) => ({ value: s.value, labels: s.labels }));
    return { help: this.help, name: this.name, type: this.type, values, aggregator: this.aggregator };
  }
}

/** One sample as prom-client's counters and gauges list them (`{ value, labels }`). */
export interface PlainValue {
  readonly value: number;
  readonly labels: Labels;
}

export interface PlainFamilyJson {
  readonly help: string;
  readonly name: string;
  readonly type: string;
  readonly values: PlainValue[];
  readonly aggregator: string;
}
