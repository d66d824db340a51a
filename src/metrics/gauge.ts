// Gauges with labels whose series the caller keeps (open connections per listener).
import { Family, type Labels, type PlainFamilyJson } from './family.ts';

export class GaugeSeries {
  readonly labels: Labels;
  value = 0;

  constructor(labels: Labels) {
    this.labels = labels;
  }

  inc(by = 1): void {
    this.value += by;
  }

  dec(by = 1): void {
    this.value -= by;
  }

  set(value: number): void {
    this.value = value;
  }
}

export class GaugeFamily extends Family<GaugeSeries> {
  readonly type = 'gauge';

  labels(...values: string[]): GaugeSeries {
    return this.child(...values);
  }

  async get(): Promise<PlainFamilyJson> {
    const values = [...this.series.values()].map((s) => ({ value: s.value, labels: s.labels }));
    return { help: this.help, name: this.name, type: this.type, values, aggregator: this.aggregator };
  }

  protected create(labels: Labels): GaugeSeries {
    return new GaugeSeries(labels);
  }
}
