// `sluice serve --workers N`: N processes serving the same listeners, so the data plane uses N cores.
// Node 20 has no SO_REUSEPORT (PERFORMANCE.md), so this uses node:cluster: the primary forks N workers and
// the listening sockets are shared through it. What runs in each is serve's business (primary.ts,
// worker.ts); this module only supervises, and carries messages both ways (structured clone).
//
// The primary restarts a worker that crashes after it was ready (with exponential backoff, reset once a
// worker stays up), and so a replacement that dies before it is ready too (its slot served before: the
// cause is passing, say no file descriptor left). It gives up when a slot's first worker dies before
// it was ever ready: that is a configuration error (a bad flag, an address in use) that restarting
// cannot fix. stop() (by default on SIGTERM/SIGINT
// to the primary) sends every worker SIGTERM for a graceful shutdown; `done` resolves once all are gone.
import cluster, { type Worker } from 'node:cluster';
import { SluiceError } from '../errors.ts';

export interface WorkersOptions {
  /** first restart delay after a crash; doubled per consecutive crash (default 100 ms) */
  readonly backoffMs?: number;
  /** the longest restart delay (default 10 s) */
  readonly maxBackoffMs?: number;
  /** a worker up this long resets the backoff (default 10 s) */
  readonly stableMs?: number;
  /** how long a worker may take to stop after SIGTERM before it is killed (default 30 s) */
  readonly shutdownMs?: number;
  /** one line per restart or shutdown (default: stderr) */
  readonly log?: (line: string) => void;
  /** stop on SIGTERM/SIGINT to the primary (default true; false when the caller handles signals) */
  readonly signals?: boolean;
  /** a message from the worker in slot `index` (other than the ready message) */
  readonly onMessage?: (index: number, worker: Worker, message: unknown) => void;
  /** the worker in slot `index` told it is ready; `info` is what its startWorker resolved with */
  readonly onReady?: (index: number, worker: Worker, info: unknown) => void;
  /** the worker in slot `index` exited (it may be restarted) */
  readonly onExit?: (index: number, worker: Worker) => void;
}

export interface WorkerInfo {
  readonly index: number;
  readonly pid: number | undefined;
  readonly ready: boolean;
}

export interface Supervisor {
  /** resolves once every worker is gone after stop(); rejects when a worker fails before it was ready */
  readonly done: Promise<void>;
  stop(): void;
  /** one entry per slot, running or not */
  workers(): readonly WorkerInfo[];
}

/** the message a worker sends its primary once startWorker has resolved */
const READY = 'sluice:worker-ready';
interface ReadyMessage {
  readonly type: typeof READY;
  readonly info: unknown;
}
const isReady = (m: unknown): m is ReadyMessage => typeof m === 'object' && m !== null && (m as { type?: unknown }).type === READY;

/**
 * In the primary: forks n workers and supervises them; resolves after a graceful shutdown, rejects when a
 * worker fails before it was ready. In a worker: runs startWorker and tells the primary it is ready.
 */
export async function runWorkers(n: number, startWorker: () => Promise<unknown>, opts: WorkersOptions = {}): Promise<void> {
  checkCount(n);
  if (cluster.isWorker) return runAsWorker(startWorker);
  return superviseWorkers(n, opts).done;
}

function checkCount(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new SluiceError('SLUICE_ERR_BAD_FLAG', `--workers: must be a whole number of at least 1, got ${n}`);
}

export async function runAsWorker(startWorker: () => Promise<unknown>): Promise<void> {
  // when the primary is gone (killed), stop too rather than serve unsupervised
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  const info = await startWorker();
  process.send?.({ type: READY, info } satisfies ReadyMessage);
}

interface Slot {
  worker: Worker | undefined;
  ready: boolean;
  /** a worker of this slot was ready once */
  served: boolean;
  startedAt: number;
  crashes: number;
  timer: NodeJS.Timeout | undefined;
}

export function superviseWorkers(n: number, opts: WorkersOptions = {}): Supervisor {
  checkCount(n);
  const backoffMs = opts.backoffMs ?? 100;
  const maxBackoffMs = opts.maxBackoffMs ?? 10_000;
  const stableMs = opts.stableMs ?? 10_000;
  const shutdownMs = opts.shutdownMs ?? 30_000;
  const log = opts.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  // Resources travel to workers by structured clone: Dates and Buffers arrive as they were.
  cluster.setupPrimary({ serialization: 'advanced' });

  const slots: Slot[] = Array.from({ length: n }, () => ({ worker: undefined, ready: false, served: false, startedAt: 0, crashes: 0, timer: undefined }));
  let stopping = false;
  let failure: Error | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  let finished = false;
  let settle: { resolve: () => void; reject: (err: Error) => void } | undefined;
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));

  const fork = (i: number): void => {
    const slot = slots[i]!;
    slot.timer = undefined;
    slot.ready = false;
    slot.startedAt = Date.now();
    const w = cluster.fork({ SLUICE_WORKER_INDEX: String(i) });
    slot.worker = w;
    w.on('message', (m: unknown) => {
      if (isReady(m)) {
        slot.ready = true;
        slot.served = true;
        opts.onReady?.(i, w, m.info);
      } else {
        opts.onMessage?.(i, w, m);
      }
    });
    // A write to a worker that has just died fails (EPIPE) before its exit is known: not the primary's end.
    w.on('error', (err: Error) => log(`sluice: worker ${i} (pid ${w.process.pid}): ${err.message}`));
    w.on('exit', (code, signal) => onExit(i, w, code, signal));
  };

  const onExit = (i: number, w: Worker, code: number | null, signal: string | null): void => {
    const slot = slots[i]!;
    if (slot.worker !== w) return;
    slot.worker = undefined;
    slot.ready = false;
    opts.onExit?.(i, w);
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (!stopping && !slot.served) {
      failure = new SluiceError('SLUICE_ERR_LISTEN', `worker ${i} exited with ${how} before it was ready; not restarting`);
      stop();
    } else if (!stopping) {
      slot.crashes = Date.now() - slot.startedAt >= stableMs ? 1 : slot.crashes + 1;
      const delay = Math.min(maxBackoffMs, backoffMs * 2 ** (slot.crashes - 1));
      log(`sluice: worker ${i} (pid ${w.process.pid}) exited with ${how}; restarting in ${delay} ms`);
      slot.timer = setTimeout(() => fork(i), delay);
    }
    if (stopping && slots.every((s) => s.worker === undefined)) finish();
  };

  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    for (const s of slots) {
      clearTimeout(s.timer);
      s.timer = undefined;
      s.worker?.process.kill('SIGTERM');
    }
    killTimer = setTimeout(() => {
      for (const s of slots) s.worker?.process.kill('SIGKILL');
    }, shutdownMs);
    if (slots.every((s) => s.worker === undefined)) finish();
  };

  const onSignal = (): void => stop();
  const finish = (): void => {
    if (finished) return;
    finished = true;
    clearTimeout(killTimer);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    if (failure) settle!.reject(failure);
    else settle!.resolve();
  };

  if (opts.signals !== false) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  for (let i = 0; i < n; i++) fork(i);
  return {
    done,
    stop,
    workers: () => slots.map((s, index) => ({ index, pid: s.worker?.process.pid, ready: s.ready })),
  };
}
