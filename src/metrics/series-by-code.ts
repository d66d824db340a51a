// The series one label tuple (a route, a cluster) observes per request: its latency histogram,
// and a counter per status code made on the code's first use.
import type { CounterSeries } from './counter.ts';
import type { HistogramSeries } from './histogram.ts';

export class SeriesByCode {
  readonly histogram: HistogramSeries;
  readonly #codes = new Map<number, CounterSeries>();
  readonly #counter: (code: string) => CounterSeries;

  constructor(histogram: HistogramSeries, counter: (code: string) => CounterSeries) {
    this.histogram = histogram;
    this.#counter = counter;
  }

  count(code: number): void {
    let c = this.#codes.get(code);
    if (c === undefined) this.#codes.set(code, (c = this.#counter(String(code))));
    c.value++;
  }
}
