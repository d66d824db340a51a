// Helpers for the `sluice serve --workers` tests: fixed free ports (the workers share them through the
// primary), requests on fresh connections (so that the primary's round robin reaches every worker),
// and the primary's admin view of its workers.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { request } from 'node:http';
import { eventually } from '../support/http.ts';
import type { SluiceProcess } from '../support/sluice.ts';

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

export interface Answer {
  readonly status: number;
  /** the upstream that answered (`x-upstream`), '' when none */
  readonly upstream: string;
}

/** GET / with `Host: host` on a connection of its own; status 0 when it failed. */
export function freshGet(address: string, host: string): Promise<Answer> {
  const i = address.lastIndexOf(':');
  return new Promise((resolve) => {
    const req = request({ host: address.slice(0, i), port: Number(address.slice(i + 1)), path: '/', headers: { host }, agent: false, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, upstream: String(res.headers['x-upstream'] ?? '') }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, upstream: '' }));
    req.end();
  });
}

export interface WorkerView {
  readonly index: number;
  readonly pid?: number;
  readonly ready: boolean;
  readonly seq: number;
  readonly hash: string;
  readonly requests?: number;
}

export async function adminJson<T>(admin: string, path: string): Promise<T> {
  const res = await fetch(`http://${admin}${path}`);
  return (await res.json()) as T;
}

export const workersOf = async (admin: string): Promise<WorkerView[]> => (await adminJson<{ workers: WorkerView[] }>(admin, '/status')).workers;

export async function readyStatus(address: string): Promise<number> {
  try {
    return (await fetch(`http://${address}/ready`)).status;
  } catch {
    return 0;
  }
}

/** Waits (bounded) until /ready answers 200: every worker serves the latest relayed configuration. */
export async function waitReady(admin: string, boundMs = 20_000): Promise<void> {
  if (!(await eventually(async () => (await readyStatus(admin)) === 200, boundMs))) throw new Error(`${admin}/ready never answered 200`);
}

/** Waits (bounded) until `n` distinct pids have logged `listening` for the http listener. */
export async function waitForWorkers(sluice: SluiceProcess, n: number, boundMs = 30_000): Promise<Set<number>> {
  const pids = new Set<number>();
  const ok = await eventually(() => {
    for (const l of sluice.lines) {
      try {
        const e = JSON.parse(l) as { msg?: string; listener?: string; pid?: number };
        if (e.msg === 'listening' && e.listener === 'http' && typeof e.pid === 'number') pids.add(e.pid);
      } catch { /* not JSON */ }
    }
    return pids.size >= n;
  }, boundMs, 50);
  if (!ok) throw new Error(`only ${pids.size} workers listening; stderr: ${sluice.stderr()}`);
  return pids;
}

/** Sends `count` requests on fresh connections; returns them. */
export async function fresh(address: string, host: string, count: number): Promise<Answer[]> {
  const out: Answer[] = [];
  for (let i = 0; i < count; i++) out.push(await freshGet(address, host));
  return out;
}

/** `promtool check metrics` on `text`: its exit code and output; undefined when promtool is not installed. */
export function promtoolCheck(text: string): Promise<{ code: number | null; output: string } | undefined> {
  return new Promise((resolve) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(text);
  });
}
