// Counters of the hot path: a series is an object whose increment is one addition.
import { Family, type Labels, type PlainFamilyJson } from './family.ts';

export class CounterSeries {
  readonly labels: Labels;
  value = 0;

  constructor(labels: Labels) {
    this.labels = labels;
  }

  inc(by?: number): void {
    if (by === undefined) {
      this.value++;
      return;
    }
    if (!(by >= 0) || by === Infinity) throw new RangeError(`a counter only goes up by a finite amount (got ${by})`);
    this.value += by;
  }
}

export class CounterFamily extends Family<CounterSeries> {
  readonly type = 'counter';

  /** prom-client's `labels(...)`: for the paths that do not keep the series. */
  labels(...values: string[]): CounterSeries {
    return this.child(...values);
  }

  async get(): Promise<PlainFamilyJson> {
    const values = [...this.series.values()].map((s) => ({ value: s.value, labels: s.labels }));
    return { help: this.help, name: this.name, type: this.type, values, aggregator: this.aggregator };
  }

  protected create(labels: Labels): CounterSeries {
    return new CounterSeries(labels);
  }
}
