// One active health check probe (Cluster.policy.healthCheck): `GET path` to one endpoint over a
// fresh connection, in the cluster's protocol (HTTP/1.1, or HTTP/2 cleartext for h2c clusters: a
// gRPC server answers nothing else), passing when the answer's status is an expected one within the
// timeout. The I/O edge of health-check.ts; never throws.
import http from 'node:http';
import http2 from 'node:http2';
import type { HealthCheck } from '../snapshot/backend-policy.ts';
import type { Cluster, Endpoint } from '../snapshot/types.ts';

export const PROBE_USER_AGENT = 'sluice-health-check';

export function passes(hc: HealthCheck, status: number): boolean {
  for (const [from, to] of hc.expectedStatuses) if (status >= from && status <= to) return true;
  return false;
}

/** Resolves true when the endpoint passes; false on a wrong status, an error or the timeout. */
export function probe(endpoint: Endpoint, protocol: Cluster['protocol'], hc: HealthCheck, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    let close = (): void => {};
    let settled = false;
    const done = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', aborted);
      // The status decides; the body is not read, and the connection is closed.
      close();
      resolve(ok);
    };
    const aborted = (): void => done(false);
    const timer = setTimeout(aborted, hc.timeoutMs);
    timer.unref();
    signal.addEventListener('abort', aborted);
    const bracketed = endpoint.address.includes(':') ? `[${endpoint.address}]` : endpoint.address;
    const host = hc.host ?? bracketed;
    if (protocol === 'h2c') {
      const session = http2.connect(`http://${bracketed}:${endpoint.port}`);
      close = () => session.destroy();
      session.on('error', aborted);
      const req = session.request({ ':method': 'GET', ':path': hc.path, ':authority': host, 'user-agent': PROBE_USER_AGENT }, { endStream: true });
      req.on('response', (headers) => done(passes(hc, Number(headers[':status']))));
      req.on('error', aborted);
      return;
    }
    const req = http.request({ host: endpoint.address, port: endpoint.port, path: hc.path, method: 'GET', agent: false, headers: { host, 'user-agent': PROBE_USER_AGENT } }, (res) => done(passes(hc, res.statusCode ?? 0)));
    close = () => req.destroy();
    req.on('error', aborted);
    req.end();
  });
}
