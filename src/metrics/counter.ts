// Counters of the hot path: a series is an object whose increment is one addition.
import { type Labels, ValueFamily } from './family.ts';

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

export class CounterFamily extends ValueFamily<CounterSeries> {
  readonly type = 'counter';

  protected create(labels: Labels): CounterSeries {
    return new CounterSeries(labels);
  }
}
