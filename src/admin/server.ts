// Admin endpoint: readiness, per-ingress status, the current snapshot, Prometheus metrics.
import type { DiscoveryReport } from '../functions/discovery/source.ts';
import http from 'node:http';
import { type AdminToken, answerUnauthorized, authorized, matches } from './auth.ts';
import { answerLogin, answerLoginForm } from './ui-login.ts';
import { readyAnswer, type Readiness } from './health.ts';
import { answerInspect, INSPECT_PATHS, type InspectSources } from './inspect.ts';
import { redactSecrets } from './redact.ts';
import type { Rejection } from '../api/types.ts';
import type { Metrics } from '../metrics.ts';
import type { MetricsJson } from './cluster-metrics.ts';
import { wantsOpenMetrics } from './metrics-format.ts';
import { OPENMETRICS_CONTENT_TYPE } from '../observe/openmetrics.ts';
import { UiData } from './ui-data.ts';
import { sendUiPage } from './ui-page.ts';
import type { SnapshotFeed } from '../snapshot/feed.ts';
import type { IngressStatusReport, ObjectStatus, Snapshot } from '../snapshot/types.ts';

export interface AdminSources extends InspectSources {
  /** `Authorization: Bearer <token>` is required for all but /ready and /live (auth.ts); absent: none */
  readonly token?: AdminToken;
  readonly feed: SnapshotFeed;
  readonly metrics: Metrics;
  /** documents currently rejected by validation, and files that do not parse */
  readonly rejections: () => readonly Rejection[];
  /** statuses as last computed; Kubernetes mode may overlay probe results */
  readonly statuses?: () => readonly IngressStatusReport[];
  /** Gateway API objects' statuses as last computed (TranslateResult.objectStatuses) */
  readonly objectStatuses?: () => readonly ObjectStatus[];
  /** Gloo function discovery per Upstream (functions/discovery/source.ts) */
  readonly functionDiscovery?: () => readonly DiscoveryReport[];
  /** clusters with a BackendPolicy: circuit breaker use, ejected and unhealthy endpoints (backend-guards.ts) */
  readonly backends?: () => readonly object[];
  /** the gateway's readiness (also false once shutdown began); by default, whether a snapshot is served */
  readonly readiness?: () => Readiness;
  /** `serve --workers N`'s primary: the metrics of every process summed (cluster-metrics.ts) */
  readonly metricsText?: () => Promise<string>;
  /** the same as JSON, for the status page's live rates (default: this process's registry) */
  readonly metricsJson?: () => Promise<MetricsJson>;
  /** `serve --workers N`'s primary: one entry per worker, shown in /status */
  readonly workers?: () => Promise<readonly WorkerReport[]>;
}

/** One data-plane worker as `/status` shows it (`serve --workers N`). */
export interface WorkerReport {
  /** its slot, 0..N-1 (a restarted worker takes the slot of the one it replaces) */
  readonly index: number;
  /** undefined while the slot waits to restart its worker */
  readonly pid: number | undefined;
  /** it listens */
  readonly ready: boolean;
  /** the relayed configuration it serves (0: none yet), and its snapshot hash for it */
  readonly seq: number;
  readonly hash: string;
  /** its `sluice_requests_total`, when it answered the primary's request for its metrics */
  readonly requests?: number;
}

export function createAdminServer(src: AdminSources): http.Server {
  const ui = new UiData(src);
  const server = http.createServer({ requestTimeout: 10_000, headersTimeout: 5_000 }, (req, res) => {
    void route(src, ui, req, res).catch((err: Error) => {
      if (!res.headersSent) json(res, 500, { error: err.message });
      else res.destroy();
    });
  });
  server.once('close', () => ui.stop());
  return server;
}

async function route(src: AdminSources, ui: UiData, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0]!;
  if (path === '/ui/login' && req.method === 'POST' && src.token !== undefined) {
    const token = src.token;
    return answerLogin(req, res, (t) => matches(token, t));
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: 'only GET' });
  if (!authorized(src.token, req, path)) return path === '/ui' ? answerLoginForm(res) : answerUnauthorized(res);
  const snapshot = src.feed.current();
  switch (path) {
    case '/ready':
      return readyAnswer(res, src.readiness?.() ?? (snapshot ? { ready: true } : { ready: false, reason: 'no configuration served yet' }));
    case '/live':
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('alive\n');
      return;
    case '/status':
      return json(res, 200, { ...statusBody(src, snapshot), ...(src.workers ? { workers: await src.workers() } : {}) });
    case '/config':
      return snapshot ? json(res, 200, configBody(snapshot)) : json(res, 503, { error: 'no configuration served yet' });
    case '/metrics': {
      // OpenMetrics (exemplars) from one process; --workers' sum is Prometheus text only.
      if (src.metricsText === undefined && wantsOpenMetrics(req.headers.accept)) {
        const body = await src.metrics.openMetrics();
        res.writeHead(200, { 'content-type': OPENMETRICS_CONTENT_TYPE });
        res.end(body);
        return;
      }
      const body = await (src.metricsText ?? (() => src.metrics.registry.metrics()))();
      res.writeHead(200, { 'content-type': src.metrics.registry.contentType });
      res.end(body);
      return;
    }
    case '/ui':
      return sendUiPage(res);
    case '/ui/data':
      return json(res, 200, await ui.body());
    case '/':
      return json(res, 200, { endpoints: ['/ready', '/live', '/status', '/config', '/metrics', '/ui', '/ui/data', ...INSPECT_PATHS] });
    default:
      if (await answerInspect(src, snapshot, path, (status, body) => json(res, status, body))) return;
      return json(res, 404, { error: `no admin endpoint ${path}` });
  }
}

function statusBody(src: AdminSources, snapshot: Snapshot | undefined): object {
  const statuses = src.statuses ? src.statuses() : src.feed.statuses();
  return {
    version: snapshot?.version ?? 0,
    ingresses: statuses.map((s) => ({
      namespace: s.namespace,
      name: s.name,
      hash: s.hash,
      generation: s.generation,
      conditions: s.conditions,
      publicLoadBalancer: s.publicLoadBalancer,
      privateLoadBalancer: s.privateLoadBalancer,
    })),
    ...objectStatusLists(src.objectStatuses?.() ?? []),
    functionDiscovery: src.functionDiscovery?.() ?? [],
    backends: src.backends?.() ?? [],
    rejected: src.rejections().map((r) => ({
      kind: r.kind,
      namespace: r.namespace,
      name: r.name,
      file: r.origin.file,
      doc: r.origin.doc,
      line: r.line ?? r.origin.line,
      errors: r.errors,
    })),
  };
}

/**
 * Gateway API, Gloo Edge and TrafficPolicy statuses by list, always present (possibly empty): each
 * `{ apiVersion, kind, namespace, name, generation, status }`; `gloo` holds every Gloo kind.
 */
function objectStatusLists(all: readonly ObjectStatus[]): { gatewayClasses: ObjectStatus[]; gateways: ObjectStatus[]; routes: ObjectStatus[]; gloo: ObjectStatus[]; trafficPolicies: ObjectStatus[]; backendPolicies: ObjectStatus[] } {
  const isGloo = (s: ObjectStatus) => s.apiVersion.startsWith('gateway.solo.io/') || s.apiVersion.startsWith('gloo.solo.io/');
  const of = (...kinds: string[]) => all.filter((s) => kinds.includes(s.kind) && !isGloo(s));
  return { gatewayClasses: of('GatewayClass'), gateways: of('Gateway'), routes: of('HTTPRoute', 'GRPCRoute'), gloo: all.filter(isGloo), trafficPolicies: of('TrafficPolicy'), backendPolicies: of('BackendPolicy') };
}

/** The snapshot without private keys or AWS secret keys (certificates are public; keys never leave the process). */
function configBody(snapshot: Snapshot): object {
  return redactSecrets({ ...snapshot, tls: snapshot.tls.map((t) => ({ name: t.name, hosts: t.hosts, certChain: t.certChain })) });
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}
