// `sluice serve --workers N`: N processes serving the same listeners, so the data plane uses N cores.
// Node 20 has no SO_REUSEPORT (PERFORMANCE.md), so this uses node:cluster: the primary forks N workers and
// the listening sockets are shared through it. Each worker runs the whole serve pipeline on its own.
//
// The primary restarts a worker that crashes after it was ready (with exponential backoff, reset once a
// worker stays up), but gives up when a worker dies before it was ever ready: that is a configuration
// error (a bad flag, an address in use) that restarting cannot fix. SIGTERM/SIGINT to the primary are
// forwarded to every worker as SIGTERM for a graceful shutdown; the primary resolves once all are gone.
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
}

/** the message a worker sends its primary once startWorker has resolved */
const READY = 'sluice:worker-ready';

/**
 * In the primary: forks n workers and supervises them; resolves after a graceful shutdown, rejects when a
 * worker fails before it was ready. In a worker: runs startWorker and tells the primary it is ready.
 */
export async function runWorkers(n: number, startWorker: () => Promise<void>, opts: WorkersOptions = {}): Promise<void> {
  if (!Number.isInteger(n) || n < 1) throw new SluiceError('SLUICE_ERR_BAD_FLAG', `--workers: must be a whole number of at least 1, got ${n}`);
  if (cluster.isWorker) return runAsWorker(startWorker);
  return supervise(n, opts);
}

async function runAsWorker(startWorker: () => Promise<void>): Promise<void> {
  // when the primary is gone (killed), stop too rather than serve unsupervised
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  await startWorker();
  process.send?.(READY);
}

function supervise(n: number, opts: WorkersOptions): Promise<void> {
  const backoffMs = opts.backoffMs ?? 100;
  const maxBackoffMs = opts.maxBackoffMs ?? 10_000;
  const stableMs = opts.stableMs ?? 10_000;
  const shutdownMs = opts.shutdownMs ?? 30_000;
  const log = opts.log ?? ((line: string) => void process.stderr.write(`${line}\n`));

  return new Promise<void>((resolve, reject) => {
    // per slot (0..n-1): whether its current worker was ready, when it started, its consecutive crashes
    const slots = Array.from({ length: n }, () => ({ worker: undefined as Worker | undefined, ready: false, startedAt: 0, crashes: 0, timer: undefined as NodeJS.Timeout | undefined }));
    let stopping = false;
    let failure: Error | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let done = false;

    const fork = (i: number): void => {
      const slot = slots[i]!;
      slot.timer = undefined;
      slot.ready = false;
      slot.startedAt = Date.now();
      const w = cluster.fork({ SLUICE_WORKER_INDEX: String(i) });
      slot.worker = w;
      w.on('message', (m: unknown) => {
        if (m === READY) slot.ready = true;
      });
      w.on('exit', (code, signal) => onExit(i, w, code, signal));
    };

    const onExit = (i: number, w: Worker, code: number | null, signal: string | null): void => {
      const slot = slots[i]!;
      if (slot.worker !== w) return;
      slot.worker = undefined;
      const how = signal ? `signal ${signal}` : `code ${code}`;
      if (!stopping && !slot.ready) {
        failure = new SluiceError('SLUICE_ERR_LISTEN', `worker ${i} exited with ${how} before it was ready; not restarting`);
        shutdown();
      } else if (!stopping) {
        slot.crashes = Date.now() - slot.startedAt >= stableMs ? 1 : slot.crashes + 1;
        const delay = Math.min(maxBackoffMs, backoffMs * 2 ** (slot.crashes - 1));
        log(`sluice: worker ${i} (pid ${w.process.pid}) exited with ${how}; restarting in ${delay} ms`);
        slot.timer = setTimeout(() => fork(i), delay);
      }
      if (stopping && slots.every((s) => s.worker === undefined)) finish();
    };

    const shutdown = (): void => {
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

    const onSignal = (): void => shutdown();
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(killTimer);
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      if (failure) reject(failure);
      else resolve();
    };

    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    for (let i = 0; i < n; i++) fork(i);
  });
}
