// Debian's headless Chromium driven over the DevTools protocol (a WebSocket, `ws`): start it with a
// temporary profile, open a page, evaluate expressions in it, close it. Every wait is bounded.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

/** The chromium binary on PATH (Debian's `chromium`), or undefined. */
export function findChromium(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' });
  const path = found.stdout.trim().split('\n')[0];
  return found.status === 0 && path ? path : undefined;
}

export interface Page {
  navigate(url: string): Promise<void>;
  /** evaluates `expression` in the page and returns its value (JSON-able) */
  evaluate<T>(expression: string): Promise<T>;
  /** polls `expression` until it is truthy; throws with the last value after `boundMs` */
  waitFor<T>(expression: string, boundMs?: number, what?: string): Promise<T>;
  /** a PNG of the viewport */
  screenshot(): Promise<Buffer>;
}

export interface Browser {
  open(width?: number, height?: number): Promise<Page>;
  close(): Promise<void>;
}

interface Pending {
  readonly resolve: (v: Record<string, unknown>) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

const CALL_BOUND_MS = 15_000;

export async function launchChromium(binary: string): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'sluice-chromium-'));
  const args = ['--headless', '--disable-gpu', '--no-first-run', '--no-default-browser-check', '--disable-extensions', '--disable-dev-shm-usage', '--remote-debugging-address=127.0.0.1', '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'];
  // Chromium refuses to run as root with its sandbox (CI containers run as root).
  if (process.getuid?.() === 0) args.unshift('--no-sandbox');
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let ws: WebSocket;
  try {
    ws = await connect(await devtoolsUrl(child));
  } catch (err) {
    child.kill('SIGKILL');
    await rm(profile, { recursive: true, force: true });
    throw err;
  }
  let nextId = 1;
  const pending = new Map<number, Pending>();
  ws.on('message', (data: Buffer) => {
    const m = JSON.parse(data.toString()) as { id?: number; result?: Record<string, unknown>; error?: { message: string } };
    const p = m.id === undefined ? undefined : pending.get(m.id);
    if (p === undefined) return;
    pending.delete(m.id!);
    clearTimeout(p.timer);
    if (m.error) p.reject(new Error(m.error.message));
    else p.resolve(m.result ?? {});
  });
  ws.on('close', () => {
    for (const p of pending.values()) p.reject(new Error('DevTools connection closed'));
  });
  const call = (method: string, params: object = {}, sessionId?: string): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${method}: no answer in ${CALL_BOUND_MS} ms`));
      }, CALL_BOUND_MS);
      pending.set(id, { resolve, reject, timer });
      ws.send(JSON.stringify({ id, method, params, ...(sessionId !== undefined && { sessionId }) }));
    });

  return {
    async open(width = 1280, height = 900): Promise<Page> {
      const { targetId } = (await call('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
      const { sessionId } = (await call('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
      await call('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false }, sessionId);
      const evaluate = async <T>(expression: string): Promise<T> => {
        const r = (await call('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, sessionId)) as { result: { value?: T }; exceptionDetails?: { text: string } };
        if (r.exceptionDetails) throw new Error(`${expression}: ${r.exceptionDetails.text}`);
        return r.result.value as T;
      };
      return {
        async navigate(url: string): Promise<void> {
          await call('Page.navigate', { url }, sessionId);
        },
        evaluate,
        async waitFor<T>(expression: string, boundMs = 15_000, what = expression): Promise<T> {
          const until = Date.now() + boundMs;
          let last: unknown;
          for (;;) {
            try {
              last = await evaluate<T>(expression);
              if (last) return last as T;
            } catch (err) {
              last = err;
            }
            if (Date.now() > until) throw new Error(`page never showed ${what} (last: ${String(last)})`);
            await new Promise((r) => setTimeout(r, 100));
          }
        },
        async screenshot(): Promise<Buffer> {
          const { data } = (await call('Page.captureScreenshot', { format: 'png' }, sessionId)) as { data: string };
          return Buffer.from(data, 'base64');
        },
      };
    },
    async close(): Promise<void> {
      const exited = new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
      await call('Browser.close').catch(() => {});
      ws.close();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** The browser's DevTools WebSocket URL, from the line Chromium prints on stderr. */
function devtoolsUrl(child: ChildProcess, boundMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => done(new Error(`chromium printed no DevTools URL in ${boundMs} ms:\n${err}`)), boundMs);
    const onData = (d: Buffer): void => {
      err += d.toString();
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) done(undefined, m[1]);
    };
    const onExit = (code: number | null): void => done(new Error(`chromium exited (${code}):\n${err}`));
    const done = (e: Error | undefined, url?: string): void => {
      clearTimeout(timer);
      child.stderr!.off('data', onData);
      child.off('exit', onExit);
      // Keep draining stderr so chromium never blocks on a full pipe.
      child.stderr!.resume();
      if (e) reject(e);
      else resolve(url!);
    };
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  });
}

function connect(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 10_000 });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}
