// Gauges with labels whose series the caller keeps (open connections per listener).
import { type Labels, ValueFamily } from './family.ts';

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

export class GaugeFamily extends ValueFamily<GaugeSeries> {
  readonly type = 'gauge';

  protected create(labels: Labels): GaugeSeries {
    return new GaugeSeries(labels);
  }
}
