// A small typed REST client for the few calls Sluice makes (list, get, create, replace, merge patch,
// status subresource, watch). Credentials, CA and the server address come from Sluice's own kubeconfig
// loader (kubeconfig.ts: a kubeconfig file or the in-cluster service account); requests and watches go
// through node:https with kept-alive connections, so timeouts and streaming are under our control and
// no Kubernetes client library (and its generated API) is loaded.
import type { IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { createRequire } from 'node:module';
import { SluiceError } from '../errors.ts';
import { AgentCache } from './kube-agent.ts';
import type { KubeCredentials } from './kube-credentials.ts';
import { loadKubeConfig } from './kubeconfig.ts';
import { DEFAULT_RATE_LIMIT, TokenBucket, type RateLimit } from './rate-limiter.ts';
import { ListDecoder } from './list-decoder.ts';
import { readWatch, type WatchEventType } from './watch-stream.ts';

export type { WatchEventType } from './watch-stream.ts';

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

/** The whole body of a response, at most `limit` bytes (an error answer is cut, never buffered without bound). */
function readBody(res: IncomingMessage, limit = Number.POSITIVE_INFINITY): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      if (size < limit) chunks.push(c);
      size += c.length;
    });
    res.on('error', reject);
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** A list's path with its selectors and page in the query. */
function listPath(path: string, selectors: Selectors & ListPage): string {
  const q = new URLSearchParams();
  if (selectors.labelSelector) q.set('labelSelector', selectors.labelSelector);
  if (selectors.fieldSelector) q.set('fieldSelector', selectors.fieldSelector);
  if (selectors.limit) q.set('limit', String(selectors.limit));
  if (selectors.continue) q.set('continue', selectors.continue);
  if (selectors.resourceVersion !== undefined) q.set('resourceVersion', selectors.resourceVersion);
  const qs = q.toString();
  return qs ? `${path}?${qs}` : path;
}

/** The API server's error answer as a KubeApiError (its Status message when it sent one). */
function apiError(method: string, path: string, status: number, text: string): KubeApiError {
  let message: string | undefined;
  try {
    message = (JSON.parse(text) as { message?: string } | undefined)?.message;
  } catch {
    message = undefined;
  }
  return new KubeApiError(status, `${method} ${path}: ${status} ${message ?? text.slice(0, 200)}`);
}

export class KubeClient {
  readonly credentials: KubeCredentials;
  /** client-side rate limit on every request but watches (null: none, for the Lease) */
  readonly #bucket: TokenBucket | null;
  readonly #agents = new AgentCache();

  constructor(credentials: KubeCredentials, limit: RateLimit | null = DEFAULT_RATE_LIMIT) {
    this.credentials = credentials;
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
    return new KubeClient(this.credentials, null);
  }

  /** Sends one request and resolves with the response (any status); `timeoutMs` bounds silence on the socket. */
  async #send(method: string, path: string, body: Buffer | undefined, contentType: string, timeoutMs: number): Promise<IncomingMessage> {
    const url = new URL(this.credentials.server + path);
    const auth = await this.credentials.auth();
    const headers: Record<string, string | number> = { accept: 'application/json', 'user-agent': USER_AGENT, ...auth.headers };
    if (body) Object.assign(headers, { 'content-type': contentType, 'content-length': body.length });
    const opts: RequestOptions = { method, headers, timeout: timeoutMs };
    if (url.protocol === 'https:') opts.agent = this.#agents.agentFor(auth.tls, this.credentials.proxyUrl);
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(url, opts, (res) => {
        // A refused credential (expired token, rotated file, stale exec credential) is fetched afresh next time.
        if (res.statusCode === 401) this.credentials.refused();
        resolve(res);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
      req.on('error', (err) => reject(err instanceof SluiceError ? err : new SluiceError('SLUICE_ERR_KUBERNETES', `${method} ${path}: ${err.message}`, { cause: err })));
      if (body) req.write(body);
      req.end();
    });
  }

  async request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    await this.#bucket?.take();
    const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const res = await this.#send(method, path, payload, contentType, REQUEST_TIMEOUT_MS);
    let text: string;
    try {
      text = await readBody(res);
    } catch (err) {
      throw new SluiceError('SLUICE_ERR_KUBERNETES', `${method} ${path}: ${(err as Error).message}`, { cause: err });
    }
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) throw apiError(method, path, status, text);
    try {
      return (text ? JSON.parse(text) : undefined) as T;
    } catch {
      return undefined as T;
    }
  }
  list<T>(path: string, selectors: Selectors & ListPage = {}): Promise<KubeList<T>> {
    return this.request<KubeList<T>>('GET', listPath(path, selectors));
  }

  /**
   * One page of a list, each item handed to `onItem` as soon as it has arrived (list-decoder.ts): the
   * page is never held whole. Resolves with the page's metadata (resourceVersion, continue).
   */
  async listEach<T>(path: string, selectors: Selectors & ListPage, onItem: (item: T) => void): Promise<KubeList<T>['metadata']> {
    await this.#bucket?.take();
    const full = listPath(path, selectors);
    const res = await this.#send('GET', full, undefined, '', REQUEST_TIMEOUT_MS);
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) throw apiError('GET', full, status, await readBody(res, 4096).catch(() => ''));
    const decoder = new ListDecoder((item) => onItem(item as T));
    const doc = await new Promise<ReturnType<ListDecoder['end']>>((resolve, reject) => {
      let failed = false;
      const fail = (err: unknown): void => {
        failed = true;
        res.destroy();
        reject(new SluiceError('SLUICE_ERR_KUBERNETES', `GET ${full}: ${(err as Error).message}`, { cause: err }));
      };
      res.on('data', (c: Buffer) => {
        if (failed) return;
        try {
          decoder.push(c);
        } catch (err) {
          fail(err);
        }
      });
      res.on('error', fail);
      res.on('end', () => resolve(decoder.end()));
      res.on('close', () => !res.complete && fail(new Error('connection closed mid-response')));
    });
    if (doc === undefined) throw new SluiceError('SLUICE_ERR_KUBERNETES', `GET ${full}: the list is not a complete JSON object`);
    return doc.metadata;
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
   * Streams watch events from `resourceVersion` (with bookmarks). `done` is called once, when the stream
   * ends for any reason (null on a clean close; a KubeApiError with the status, e.g. 410, when the API
   * server refuses the watch); the caller decides whether to resume or relist. abort() ends it quietly.
   */
  async watch(
    path: string,
    query: Selectors & { resourceVersion: string; timeoutSeconds?: number },
    onEvent: (type: WatchEventType, object: KubeObject) => void,
    done: (err: unknown) => void,
  ): Promise<WatchHandle> {
    const q = new URLSearchParams({ watch: 'true', resourceVersion: query.resourceVersion, allowWatchBookmarks: 'true' });
    if (query.labelSelector) q.set('labelSelector', query.labelSelector);
    if (query.fieldSelector) q.set('fieldSelector', query.fieldSelector);
    if (query.timeoutSeconds) q.set('timeoutSeconds', String(query.timeoutSeconds));
    const full = `${path}${path.includes('?') ? '&' : '?'}${q}`;
    let aborted = false;
    let res: IncomingMessage | undefined;
    const once = (err: unknown): void => {
      if (aborted) return;
      aborted = true;
      done(err);
    };
    // The server ends the watch after timeoutSeconds; a socket silent for well past that is dead.
    const idleMs = ((query.timeoutSeconds ?? 1800) + 60) * 1000;
    void this.#send('GET', full, undefined, '', idleMs).then(
      async (r) => {
        res = r;
        if (aborted) return void r.destroy();
        if (r.statusCode !== 200) return once(apiError('GET', path, r.statusCode ?? 0, await readBody(r, 4096).catch(() => '')));
        r.socket?.setKeepAlive(true, 30_000);
        readWatch<KubeObject>(r, (type, obj) => !aborted && onEvent(type, obj), once);
      },
      once,
    );
    return {
      abort: () => {
        aborted = true;
        res?.destroy();
      },
    };
  }
}
