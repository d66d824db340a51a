// One active health check probe (Cluster.policy.healthCheck): `GET path` to one endpoint over a
// fresh HTTP/1.1 connection, passing when the answer's status is an expected one within the timeout.
// The I/O edge of health-check.ts; never throws.
import http from 'node:http';
import type { HealthCheck } from '../snapshot/backend-policy.ts';
import type { Endpoint } from '../snapshot/types.ts';

export const PROBE_USER_AGENT = 'sluice-health-check';

export function passes(hc: HealthCheck, status: number): boolean {
  for (const [from, to] of hc.expectedStatuses) if (status >= from && status <= to) return true;
  return false;
}

/** Resolves true when the endpoint passes; false on a wrong status, an error or the timeout. */
export function probe(endpoint: Endpoint, hc: HealthCheck, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(ok);
    };
    const host = hc.host ?? (endpoint.address.includes(':') ? `[${endpoint.address}]` : endpoint.address);
    const req = http.request({ host: endpoint.address, port: endpoint.port, path: hc.path, method: 'GET', agent: false, signal, headers: { host, 'user-agent': PROBE_USER_AGENT } }, (res) => {
      const ok = passes(hc, res.statusCode ?? 0);
      // The body is not read: the status decides, and the connection is closed.
      done(ok);
    });
    req.on('error', () => done(false));
    req.end();
    const timer = setTimeout(() => done(false), hc.timeoutMs);
    timer.unref();
  });
}
