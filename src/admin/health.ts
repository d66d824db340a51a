// The kubelet's health port (--health): readiness, liveness and Prometheus metrics, so it can listen
// on the pod's address (where the kubelet and Prometheus reach it) while the admin endpoint
// (/config, /status) stays on loopback. Metrics hold counts and names, never a key.
import http from 'node:http';
import { wantsOpenMetrics } from './metrics-format.ts';
import { OPENMETRICS_CONTENT_TYPE } from '../observe/openmetrics.ts';

/** Whether the gateway should get traffic, and if not, why (shown in the 503 body). */
export type Readiness = { readonly ready: true } | { readonly ready: false; readonly reason: string };

/** The Prometheus exposition the health port serves at /metrics. */
export interface MetricsExposition {
  readonly contentType: string;
  text(): Promise<string>;
  /** the OpenMetrics format, for scrapers that prefer it; absent: always text() */
  openMetrics?(): Promise<string>;
}

export function createHealthServer(readiness: () => Readiness, metrics?: MetricsExposition): http.Server {
  return http.createServer({ requestTimeout: 5_000, headersTimeout: 5_000 }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, 'only GET\n');
    if (path === '/live') return text(res, 200, 'alive\n');
    if (path === '/ready') return readyAnswer(res, readiness());
    if (path === '/metrics' && metrics !== undefined) {
      const open = metrics.openMetrics !== undefined && wantsOpenMetrics(req.headers.accept);
      (open ? metrics.openMetrics!() : metrics.text()).then(
        (body) => {
          res.writeHead(200, { 'content-type': open ? OPENMETRICS_CONTENT_TYPE : metrics.contentType, 'content-length': Buffer.byteLength(body) });
          res.end(body);
        },
        (err: Error) => text(res, 500, `metrics unavailable: ${err.message}\n`),
      );
      return;
    }
    return text(res, 404, `no health endpoint ${path}: only /ready, /live and /metrics\n`);
  });
}

/** `/ready` as both the health port and the admin endpoint answer it. */
export function readyAnswer(res: http.ServerResponse, r: Readiness): void {
  if (r.ready) text(res, 200, 'ready\n');
  else text(res, 503, `not ready: ${r.reason}\n`);
}

function text(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
