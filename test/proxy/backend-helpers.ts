// Upstreams for BackendPolicy tests: one that holds every request until told to answer (to fill
// circuit breakers), and one whose answers and health endpoint fail on demand.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HeldUpstream {
  readonly port: number;
  /** requests received and not yet answered */
  readonly held: http.ServerResponse[];
  /** resolves once `n` requests are held; rejects after 5 s */
  holding(n: number): Promise<void>;
  /** answers every held request 200 */
  release(): void;
  /** requests received in all */
  received: number;
  close(): Promise<void>;
}

export async function startHeldUpstream(): Promise<HeldUpstream> {
  const held: http.ServerResponse[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const u = {
    held,
    received: 0,
    holding(n: number): Promise<void> {
      if (held.length >= n) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${held.length} requests held after 5 s, not ${n}`)), 5000);
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    release(): void {
      for (const res of held.splice(0)) res.writeHead(200, { 'content-type': 'text/plain' }).end('released');
    },
  };
  const server = http.createServer((req, res) => {
    req.resume();
    u.received++;
    held.push(res);
    for (const w of waiters.splice(0)) if (held.length >= w.n) w.resolve();
    else waiters.push(w);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return Object.assign(u, {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  });
}

export interface FlakyUpstream {
  readonly port: number;
  readonly name: string;
  /** the status every proxied request gets (200 by default) */
  status: number;
  /** the status of GET /healthz (200 by default) */
  health: number;
  /** proxied requests (not health checks) received */
  hits: number;
  /** health checks received */
  checks: number;
  close(): Promise<void>;
}

/** Answers `x-upstream: name` with `status`; GET /healthz answers `health`. */
export async function startFlakyUpstream(name: string): Promise<FlakyUpstream> {
  const u = { name, status: 200, health: 200, hits: 0, checks: 0 };
  const server = http.createServer((req, res) => {
    req.resume();
    if (req.url === '/healthz') {
      u.checks++;
      res.writeHead(u.health, { 'content-type': 'text/plain' }).end('health');
      return;
    }
    u.hits++;
    res.writeHead(u.status, { 'content-type': 'text/plain', 'x-upstream': name }).end(name);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return Object.assign(u, {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  });
}
