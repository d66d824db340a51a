// A small typed REST client for the few calls Sluice makes (list, get, create, replace, merge patch,
// status subresource, watch). Credentials, CA and the server address come from @kubernetes/client-node's
// KubeConfig (a kubeconfig file or the in-cluster service account); requests go through node:https so
// timeouts and the status subresource are under our control, and watches use client-node's Watch.
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { type KubeConfig, Watch } from '@kubernetes/client-node';
import { SluiceError } from '../errors.ts';
import { loadKubeConfig } from './kubeconfig.ts';
import { AgentCache } from './kube-agent.ts';
import { DEFAULT_RATE_LIMIT, TokenBucket, type RateLimit } from './rate-limiter.ts';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

export interface KubeList<T> {
  /** `continue`: more pages follow (a paged list); pass it back to get the next */
  metadata?: { resourceVersion?: string; continue?: string };
  items: T[];
}

export interface Selectors {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

/** A page of a list: at most `limit` items, after `continue`; `resourceVersion: '0'` reads the API server's watch cache. */
export interface ListPage {
  readonly limit?: number;
  readonly continue?: string;
  readonly resourceVersion?: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** An error answer from the API server, with its HTTP status (409, 410, 404...). */
export class KubeApiError extends SluiceError {
  constructor(readonly status: number, message: string) {
    super('SLUICE_ERR_KUBERNETES', message);
    this.name = 'KubeApiError';
  }
}

/** The object at `path`, or undefined when the API server answers 404; other errors are thrown. */
export async function getIfExists(client: KubeClient, path: string): Promise<KubeObject | undefined> {
  try {
    return await client.get<KubeObject>(path);
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 404) return undefined;
    throw err;
  }
}

export interface WatchHandle {
  abort(): void;
}

/** REST paths of the kinds Sluice reads and writes. */
export const paths = {
  ingresses: (ns?: string, name?: string) => collection('/apis/networking.internal.knative.dev/v1alpha1', 'ingresses', ns, name),
  services: (ns?: string, name?: string) => collection('/api/v1', 'services', ns, name),
  endpointSlices: (ns?: string, name?: string) => collection('/apis/discovery.k8s.io/v1', 'endpointslices', ns, name),
  secrets: (ns?: string, name?: string) => collection('/api/v1', 'secrets', ns, name),
  configMaps: (ns?: string, name?: string) => collection('/api/v1', 'configmaps', ns, name),
  namespaces: (name?: string) => collection('/api/v1', 'namespaces', undefined, name),
  leases: (ns: string, name?: string) => collection('/apis/coordination.k8s.io/v1', 'leases', ns, name),
};

function collection(prefix: string, plural: string, ns?: string, name?: string): string {
  const base = ns ? `${prefix}/namespaces/${encodeURIComponent(ns)}/${plural}` : `${prefix}/${plural}`;
  return name ? `${base}/${encodeURIComponent(name)}` : base;
}

const REQUEST_TIMEOUT_MS = 15_000;

/** Who Sluice is to the API server: in its audit log (User-Agent) and in `managedFields` (fieldManager). */
export const FIELD_MANAGER = 'sluice';
const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };
export const USER_AGENT = `sluice/${version} (${process.platform}/${process.arch}) node/${process.versions.node}`;

/** `path` with `fieldManager=sluice` added to its query, for every write. */
export function managed(path: string, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams({ fieldManager: FIELD_MANAGER, ...extra });
  return `${path}${path.includes('?') ? '&' : '?'}${q}`;
}

/**
 * The config as client-node's Watch sees it, with Sluice's User-Agent on its requests (Watch reads only
 * the current cluster and the fetch options from it, and would otherwise send node-fetch's own).
 */
function withUserAgent(config: KubeConfig): KubeConfig {
  const view = Object.create(config) as KubeConfig;
  view.applyToFetchOptions = (opts) => config.applyToFetchOptions({ ...opts, headers: { ...opts.headers, 'user-agent': USER_AGENT } });
  return view;
}

export class KubeClient {
  readonly config: KubeConfig;
  readonly #watch: Watch;
  /** client-side rate limit on every request but watches (null: none, for the Lease) */
  readonly #bucket: TokenBucket | null;
  readonly #agents = new AgentCache();

  constructor(config: KubeConfig, limit: RateLimit | null = DEFAULT_RATE_LIMIT) {
    this.config = config;
    this.#watch = new Watch(withUserAgent(config));
    this.#bucket = limit ? new TokenBucket(limit) : null;
  }

  /** From --kubeconfig, $KUBECONFIG, ~/.kube/config or the in-cluster service account (see kubeconfig.ts). */
  static load(kubeconfig?: string, limit?: RateLimit): KubeClient {
    return new KubeClient(loadKubeConfig(kubeconfig), limit ?? DEFAULT_RATE_LIMIT);
  }

  /**
   * The same cluster without the rate limit, for the Lease: its renewals must never queue behind
   * thousands of status writes, or the leader would lose its Lease while writing.
   */
  unlimited(): KubeClient {
    return new KubeClient(this.config, null);
  }

  async request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    await this.#bucket?.take();
    const cluster = this.config.getCurrentCluster()!;
    const url = new URL(cluster.server.replace(/\/$/, '') + path);
    const opts: RequestOptions = { method, headers: { accept: 'application/json', 'user-agent': USER_AGENT }, timeout: REQUEST_TIMEOUT_MS };
    await this.config.applyToHTTPSOptions(opts);
    // Reuse connections (client-node makes a new agent per call); a proxy's agent is left as it is.
    if (url.protocol === 'https:' && !cluster.proxyUrl) opts.agent = this.#agents.agentFor(opts);
    const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    if (payload) opts.headers = { ...opts.headers, 'content-type': contentType, 'content-length': payload.length };
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise<T>((resolve, reject) => {
      const req = send(url, opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          if (status >= 200 && status < 300) return resolve(parsed as T);
          const message = (parsed as { message?: string } | undefined)?.message ?? text.slice(0, 200);
          reject(new KubeApiError(status, `${method} ${path}: ${status} ${message}`));
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', (err) => reject(err instanceof SluiceError ? err : new SluiceError('SLUICE_ERR_KUBERNETES', `${method} ${path}: ${err.message}`, { cause: err })));
      if (payload) req.write(payload);
      req.end();
    });
  }

  list<T>(path: string, selectors: Selectors & ListPage = {}): Promise<KubeList<T>> {
    const q = new URLSearchParams();
    if (selectors.labelSelector) q.set('labelSelector', selectors.labelSelector);
    if (selectors.fieldSelector) q.set('fieldSelector', selectors.fieldSelector);
    if (selectors.limit) q.set('limit', String(selectors.limit));
    if (selectors.continue) q.set('continue', selectors.continue);
    if (selectors.resourceVersion !== undefined) q.set('resourceVersion', selectors.resourceVersion);
    const qs = q.toString();
    return this.request<KubeList<T>>('GET', qs ? `${path}?${qs}` : path);
  }
  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }
  // Writes name their field manager, so `managedFields` say `sluice` rather than `unknown`.
  create<T>(path: string, obj: unknown): Promise<T> {
    return this.request<T>('POST', managed(path), obj);
  }
  replace<T>(path: string, obj: unknown): Promise<T> {
    return this.request<T>('PUT', managed(path), obj);
  }
  mergePatch<T>(path: string, patch: unknown): Promise<T> {
    return this.request<T>('PATCH', managed(path), patch, 'application/merge-patch+json');
  }
  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }
  /** Server-side apply: Sluice owns the fields it sends, taking them over from other managers (force). */
  apply<T>(path: string, obj: unknown): Promise<T> {
    return this.request<T>('PATCH', managed(path, { force: 'true' }), obj, 'application/apply-patch+yaml');
  }

  /**
   * Streams watch events from `resourceVersion`. `done` is called once, when the stream ends for any
   * reason (null on a clean close); the caller decides whether to resume or relist.
   */
  async watch(
    path: string,
    query: Selectors & { resourceVersion: string; timeoutSeconds?: number },
    onEvent: (type: WatchEventType, object: KubeObject) => void,
    done: (err: unknown) => void,
  ): Promise<WatchHandle> {
    const params: Record<string, string | number | boolean> = { resourceVersion: query.resourceVersion, allowWatchBookmarks: true };
    if (query.labelSelector) params.labelSelector = query.labelSelector;
    if (query.fieldSelector) params.fieldSelector = query.fieldSelector;
    if (query.timeoutSeconds) params.timeoutSeconds = query.timeoutSeconds;
    const controller = await this.#watch.watch(path, params, (type: string, obj: KubeObject) => onEvent(type as WatchEventType, obj), done);
    return { abort: () => controller.abort() };
  }
}
