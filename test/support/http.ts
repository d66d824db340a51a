// Small HTTP client helpers for tests (undici with explicit Host headers, bounded in time).
import { Agent, request } from 'undici';

export const agent = new Agent({ keepAliveTimeout: 1000, connections: 64 });

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export async function get(addr: string, host: string, path = '/', headers: Record<string, string> = {}, opts: { method?: string; body?: string | Buffer; timeoutMs?: number } = {}): Promise<Reply> {
  const res = await request(`http://${addr}${path}`, {
    method: (opts.method ?? 'GET') as 'GET',
    headers: { host, ...headers },
    body: opts.body,
    dispatcher: agent,
    headersTimeout: opts.timeoutMs ?? 15_000,
    bodyTimeout: opts.timeoutMs ?? 15_000,
  });
  const body = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body };
}

export async function getJson<T = Record<string, unknown>>(addr: string, host: string, path = '/', headers: Record<string, string> = {}): Promise<{ status: number; json: T; headers: Reply['headers'] }> {
  const r = await get(addr, host, path, headers);
  return { status: r.status, json: JSON.parse(r.body) as T, headers: r.headers };
}

/** Polls until `check` returns true or the bound passes; returns whether it became true. */
export async function eventually(check: () => Promise<boolean> | boolean, boundMs = 5000, everyMs = 25): Promise<boolean> {
  const until = Date.now() + boundMs;
  for (;;) {
    try {
      if (await check()) return true;
    } catch { /* not yet */ }
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
