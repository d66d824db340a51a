// The `timeout` test image (test/test_images/timeout): sleeps `initialTimeout` ms before the
// response head, flushes the head, sleeps `timeout` ms, then writes "Slept for N milliseconds".
import { type Backend, type BackendRequest, type BackendResponse, flushHead, startBackend } from './server.ts';

/** strconv.Atoi as the image uses it: anything unparsable is 0. */
function atoi(v: string | null): number {
  return v !== null && /^[+-]?\d+$/.test(v) ? Number(v) : 0;
}

export function startTimeout(): Promise<Backend> {
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, f: () => void): void => {
    const t = setTimeout(() => { timers.delete(t); f(); }, ms);
    timers.add(t);
  };
  const handler = (req: BackendRequest, res: BackendResponse): void => {
    req.resume();
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    later(atoi(q.get('initialTimeout')), () => {
      res.writeHead(200);
      // Flush the head now, as the image does, to trigger (or not) a time-to-first-byte timeout.
      flushHead(res);
      const timeout = atoi(q.get('timeout'));
      later(timeout, () => res.end(`Slept for ${timeout} milliseconds`));
    });
  };
  return startBackend(handler).then((b) => ({
    ...b,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      await b.close();
    },
  }));
}
