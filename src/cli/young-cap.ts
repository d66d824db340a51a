// Keeps V8's young generation from growing to its largest size while a configuration loads.
//
// A large load makes objects that survive (the parsed and translated configuration), and V8 grows
// the young generation each time a scavenge sees many survivors, up to 16 MiB per semi-space: 32 MiB
// resident, still there, empty, at ready, and given back only once V8 sees 5 s of a low allocation
// rate (heap-release.ts). The load's objects are long-lived whatever the young generation's size, so
// a smaller one costs it more, shorter scavenges, not more copying. V8 fixes the largest size at
// start (`--max-semi-space-size` on the command line only), but reads its growth factor each time it
// grows: a factor of 1 once the young generation reaches the cap stops it there. The cap is lifted
// (V8's factor again) once the load is done, so traffic grows it as V8 sees fit.
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';

/** The young generation's cap during a load: bytes of both semi-spaces (8 MiB each). */
export const YOUNG_CAP_BYTES = 16 * 1024 * 1024;
const V8_GROWTH_FACTOR = 2;

function v8YoungSize(): number {
  for (const s of v8.getHeapSpaceStatistics()) if (s.space_name === 'new_space') return s.space_size;
  return 0;
}

export interface YoungCapOptions {
  readonly capBytes?: number;
  /** the young generation's size (default: V8's new space) */
  readonly youngSize?: () => number;
  /** sets a V8 flag (default: v8.setFlagsFromString) */
  readonly setFlag?: (flag: string) => void;
  /** node flags the process runs with: a growth factor or semi-space size given there is left alone */
  readonly nodeFlags?: readonly string[];
}

export class YoungCap {
  readonly #cap: number;
  readonly #size: () => number;
  readonly #setFlag: (flag: string) => void;
  #observer: PerformanceObserver | undefined;
  /** the growth factor was set to 1 (and is set back on lift) */
  #stopped = false;
  #lifted = false;

  constructor(o: YoungCapOptions = {}) {
    this.#cap = o.capBytes ?? YOUNG_CAP_BYTES;
    this.#size = o.youngSize ?? v8YoungSize;
    this.#setFlag = o.setFlag ?? ((flag) => v8.setFlagsFromString(flag));
    const flags = o.nodeFlags ?? [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
    // The operator chose the young generation's size or growth: theirs.
    if (flags.some((f) => /^--(max|min)[-_]semi[-_]space[-_]size|^--semi[-_]space[-_]growth[-_]factor/.test(f))) {
      this.#lifted = true;
      return;
    }
    this.look();
    if (this.#stopped) return;
    // Looked at after each collection (the observer runs between turns of the event loop, which a
    // load yields often).
    this.#observer = new PerformanceObserver(() => this.look());
    this.#observer.observe({ entryTypes: ['gc'] });
  }

  /** Whether growth is stopped now. */
  get capped(): boolean {
    return this.#stopped && !this.#lifted;
  }

  /** Stops growth once the young generation reached the cap (the observer's; tests call it). */
  look(): void {
    if (this.#lifted || this.#stopped || this.#size() < this.#cap) return;
    this.#setFlag('--semi-space-growth-factor=1');
    this.#stopped = true;
    this.#disconnect();
  }

  /** The load is done: V8 grows the young generation as it sees fit again. */
  lift(): void {
    if (this.#lifted) return;
    this.#lifted = true;
    this.#disconnect();
    if (this.#stopped) this.#setFlag(`--semi-space-growth-factor=${V8_GROWTH_FACTOR}`);
  }

  #disconnect(): void {
    this.#observer?.disconnect();
    this.#observer = undefined;
  }
}
