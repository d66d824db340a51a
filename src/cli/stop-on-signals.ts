// How `serve` stops: on SIGTERM or SIGINT, fail readiness, keep serving through the drain delay,
// drain, then exit; a second signal cuts the delay short.
import type { Logger } from '../log.ts';

export interface ShutdownSteps {
  /**
   * On SIGTERM, how long to keep serving after readiness fails, while Kubernetes removes this pod's
   * endpoints elsewhere; SIGINT (Ctrl-C) and a second signal skip it.
   */
  readonly drainDelayMs?: number;
  /** run at once on the first signal (fail readiness, hand over leadership) */
  readonly begin?: () => void;
  /** the signals that stop (default SIGTERM and SIGINT) */
  readonly signals?: readonly NodeJS.Signals[];
}

export function stopOnSignals(log: Logger, stop: () => Promise<void>, steps: ShutdownSteps = {}): void {
  let stopping = false;
  let endDelay: (() => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return endDelay?.();
    stopping = true;
    steps.begin?.();
    const delayMs = signal === 'SIGTERM' ? (steps.drainDelayMs ?? 0) : 0;
    if (delayMs > 0) log.info({ signal, drainDelayMs: delayMs }, 'shutting down: not ready, still serving until the drain delay ends');
    const delay = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delayMs);
      endDelay = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    delay
      .then(() => {
        log.info({ signal }, 'shutting down: draining in-flight requests');
        return stop();
      })
      .then(
        () => {
          log.info('stopped');
          process.exit(0);
        },
        (err: Error) => {
          log.error({ err: err.message }, 'error while stopping');
          process.exit(1);
        },
      );
  };
  for (const signal of steps.signals ?? ['SIGTERM', 'SIGINT']) process.on(signal, onSignal);
}
