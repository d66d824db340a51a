// Messages from a stream (WebSocket, gRPC) taken one at a time, each wait bounded.
export class Inbox<T> {
  readonly #queue: T[] = [];
  readonly #waiters: Array<{ resolve: (v: T) => void; reject: (e: Error) => void }> = [];
  #error: Error | undefined;

  push(v: T): void {
    const w = this.#waiters.shift();
    if (w) w.resolve(v);
    else this.#queue.push(v);
  }

  fail(err: Error): void {
    this.#error ??= err;
    for (const w of this.#waiters.splice(0)) w.reject(err);
  }

  next(boundMs = 10_000): Promise<T> {
    if (this.#queue.length > 0) return Promise.resolve(this.#queue.shift()!);
    if (this.#error) return Promise.reject(this.#error);
    return new Promise<T>((resolve, reject) => {
      const w = {
        resolve: (v: T) => { clearTimeout(timer); resolve(v); },
        reject: (e: Error) => { clearTimeout(timer); reject(e); },
      };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        reject(new Error(`no message within ${boundMs} ms`));
      }, boundMs);
      this.#waiters.push(w);
    });
  }
}
