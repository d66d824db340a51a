// One copy of a value many results repeat, made from its key the first time: at 10,000 virtual
// hosts of one Gateway each held its own `Gateway ns/name` string and list of listener names.
// For values of which there are few (one per Gateway or listener set): cleared when large.

export class Repeated<T> {
  #values = new Map<string, T>();
  readonly #make: (key: string) => T;
  readonly #max: number;

  constructor(make: (key: string) => T, max = 1024) {
    this.#make = make;
    this.#max = max;
  }

  get(key: string): T {
    let v = this.#values.get(key);
    if (v === undefined) {
      if (this.#values.size >= this.#max) this.#values = new Map();
      this.#values.set(key, (v = this.#make(key)));
    }
    return v;
  }
}
