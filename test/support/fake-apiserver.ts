// A fake Kubernetes API server for tests: HTTPS with its own CA, bearer-token auth, and the REST
// subset Sluice uses, following the real protocol closely enough that @kubernetes/client-node and
// Sluice's own watch code cannot tell the difference:
// - lists carry a collection `resourceVersion`; `?watch=1` streams newline-delimited
//   `{"type","object"}` events (chunked) starting after a given resourceVersion; a version older than
//   the compacted history gets an `ERROR` event whose object is a `410 Expired` Status, then the stream ends;
// - create/replace/merge patch/strategic merge (treated as merge)/apply patch/delete; the `status`
//   subresource ignores everything but status, the main resource ignores status for kinds with it;
// - `409 Conflict` when a write names a stale `metadata.resourceVersion`; `generation` bumps on spec changes;
// - label selectors on lists and watches; API discovery for KubernetesObjectApi.
// Tests can restart it (all connections drop, it comes back on the same port) and compact its history.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { kubeconfigText, makeFakeTls, type FakeTls } from './fake-apiserver-tls.ts';

import { apiVersionOf, clone, crdTypes, fieldSelector, HttpError, labelSelector, mergePatch, gatewayApiTypes, specOf, TYPES, type KObject, type ResourceType } from './fake-apiserver-util.ts';

export type { KObject, ResourceType } from './fake-apiserver-util.ts';
export { mergePatch, labelSelector, fieldSelector, HttpError } from './fake-apiserver-util.ts';

interface WatchEvent {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  t: ResourceType;
  object: KObject;
}

interface Watcher {
  t: ResourceType;
  namespace?: string;
  selector: (o: KObject) => boolean;
  res: ServerResponse;
}

/** One request as the fake saw it, for assertions (e.g. "status was written once"). */
export interface RequestRecord {
  method: string;
  path: string;
  contentType?: string;
  userAgent?: string;
  /** the query string's parameters (fieldManager, watch...) */
  query: Record<string, string>;
  /** when the request's body had arrived (performance.now()), for rate assertions */
  at: number;
}

export class FakeApiServer {
  readonly token = `fake-token-${randomUUID()}`;
  readonly requests: RequestRecord[] = [];
  #tls: FakeTls;
  #server: Server | undefined;
  #port = 0;
  #rv = 100;
  #compactedRv = 0;
  #store = new Map<string, KObject>();
  #history: WatchEvent[] = [];
  /** by collection and selectors; an entry made before the last write is made again */
  readonly #listCache = new Map<string, { rv: number; items: Array<[string, KObject]> }>();
  #watchers = new Set<Watcher>();
  #sockets = new Set<Socket>();
  /** the kinds served: the built-in ones, plus CRDs a test installs */
  #types: ResourceType[] = [...TYPES];
  kubeconfigPath = '';
  /** answers a request with this status instead (409, 500...) when it returns one: for retry tests */
  fault: ((r: RequestRecord) => number | undefined) | undefined;
  /** time every non-watch request is held before its answer (a loaded API server), so concurrency shows */
  latencyMs = 0;
  /** the requests counted in flight (default: every non-watch one) */
  counted: (r: RequestRecord) => boolean = () => true;
  /** told of every stored change (the stored object itself: read, never change it), e.g. to time status writes */
  onEvent: ((type: WatchEvent['type'], object: KObject) => void) | undefined;
  /** counted requests being answered now, and the most at once */
  inFlight = 0;
  maxInFlight = 0;

  private constructor(tls: FakeTls) {
    this.#tls = tls;
  }

  /** Starts on 127.0.0.1 (port 0 unless given) and writes a kubeconfig for it. */
  static async start(): Promise<FakeApiServer> {
    const s = new FakeApiServer(makeFakeTls());
    await s.listen();
    s.kubeconfigPath = join(s.#tls.dir, 'kubeconfig');
    writeFileSync(s.kubeconfigPath, kubeconfigText(s.url, s.#tls.caCert, s.token));
    return s;
  }

  get url(): string {
    return `https://127.0.0.1:${this.#port}`;
  }
  get caCert(): string {
    return this.#tls.caCert;
  }
  get resourceVersion(): number {
    return this.#rv;
  }

  async listen(): Promise<void> {
    const server = createServer({ cert: this.#tls.serverCert, key: this.#tls.serverKey }, (req, res) => this.#handle(req, res));
    server.on('connection', (s: Socket) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => resolve());
    });
    this.#port = (server.address() as { port: number }).port;
    this.#server = server;
  }

  /** Stops listening and drops every connection (watch streams end abruptly, as when an API server dies). */
  async shutdown(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const w of this.#watchers) w.res.destroy();
    this.#watchers.clear();
    for (const s of this.#sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Simulates an API server restart: everything drops, and after `downMs` it listens on the same port. */
  async restart(downMs = 200): Promise<void> {
    await this.shutdown();
    await new Promise((r) => setTimeout(r, downMs));
    await this.listen();
  }

  /** Forgets all history: any watch resuming from an older resourceVersion gets 410 Gone. Open watches are closed. */
  compact(): void {
    this.#compactedRv = this.#rv;
    this.#history = [];
    for (const w of this.#watchers) w.res.end();
    this.#watchers.clear();
  }

  async close(): Promise<void> {
    await this.shutdown();
    this.#tls.cleanup();
  }

  /** Serves the Gateway API kinds from now on, as if their CRDs had just been applied. */
  installGatewayApi(version: 'v1' | 'v1beta1' = 'v1'): void {
    for (const t of gatewayApiTypes(version)) if (!this.#types.some((x) => x.group === t.group && x.plural === t.plural)) this.#types.push(t);
  }

  /** Serves more CRD-defined kinds from now on (e.g. Gloo Edge's), as if their CRDs had just been applied. */
  installTypes(types: readonly ResourceType[]): void {
    for (const t of types) if (!this.#types.some((x) => x.group === t.group && x.plural === t.plural)) this.#types.push(t);
  }

  /** Stops serving a group's kinds, as a cluster without that CRD (e.g. no Knative Serving). */
  removeGroup(group: string): void {
    this.#types = this.#types.filter((t) => t.group !== group);
  }

  // ---- direct access for tests (same semantics as the REST verbs) ----

  /** Creates or replaces (ignoring resourceVersion) an object; returns the stored copy. */
  put(obj: KObject): KObject {
    const t = this.#typeOf(obj);
    const ns = t.namespaced ? (obj.metadata?.namespace ?? 'default') : undefined;
    const existing = this.#store.get(this.#key(t, ns, obj.metadata!.name!));
    if (!existing) return this.#create(t, ns, obj);
    const next = clone(obj);
    next.metadata = { ...next.metadata, resourceVersion: existing.metadata!.resourceVersion };
    return this.#update(t, existing, next, 'main', true);
  }
  /** Writes an object's status subresource (as another controller would); returns the stored copy. */
  putStatus(obj: KObject): KObject {
    const t = this.#typeOf(obj);
    const ns = t.namespaced ? (obj.metadata?.namespace ?? 'default') : undefined;
    const existing = this.#store.get(this.#key(t, ns, obj.metadata!.name!));
    if (!existing) throw new HttpError(404, 'NotFound', `${t.plural} "${obj.metadata!.name}" not found`);
    return this.#update(t, existing, obj, 'status', true);
  }
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KObject | undefined {
    const t = this.#typeOf({ apiVersion, kind });
    const o = this.#store.get(this.#key(t, t.namespaced ? (namespace ?? 'default') : undefined, name));
    return o && clone(o);
  }
  remove(apiVersion: string, kind: string, namespace: string | undefined, name: string): void {
    const t = this.#typeOf({ apiVersion, kind });
    this.#delete(t, t.namespaced ? (namespace ?? 'default') : undefined, name);
  }

  // ---- storage ----

  /** A created CRD is served at once and reports itself Established (a real server takes a moment for both). */
  #serveCrd(crd: KObject): void {
    for (const c of crdTypes(crd)) if (!this.#types.some((x) => x.group === c.group && x.version === c.version && x.plural === c.plural)) this.#types.push(c);
    crd.status = { conditions: [{ type: 'NamesAccepted', status: 'True' }, { type: 'Established', status: 'True' }] };
  }

  #typeOf(o: { apiVersion?: string; kind?: string }): ResourceType {
    const t = this.#types.find((x) => apiVersionOf(x) === o.apiVersion && x.kind === o.kind);
    if (!t) throw new HttpError(404, 'NotFound', `the server could not find the requested resource (${o.apiVersion} ${o.kind})`);
    return t;
  }
  #key(t: ResourceType, ns: string | undefined, name: string): string {
    return `${t.group}/${t.plural}/${ns ?? ''}/${name}`;
  }
  #emit(type: WatchEvent['type'], t: ResourceType, object: KObject): void {
    const ev: WatchEvent = { rv: this.#rv, type, t, object: clone(object) };
    this.#history.push(ev);
    for (const w of this.#watchers) this.#send(w, ev);
    this.onEvent?.(type, object);
  }
  #send(w: Watcher, ev: WatchEvent): void {
    if (w.t !== ev.t) return;
    if (w.namespace && ev.object.metadata?.namespace !== w.namespace) return;
    if (!w.selector(ev.object)) return;
    w.res.write(JSON.stringify({ type: ev.type, object: ev.object }) + '\n');
  }
  #create(t: ResourceType, ns: string | undefined, obj: KObject): KObject {
    const name = obj.metadata?.name;
    if (!name) throw new HttpError(422, 'Invalid', 'metadata.name: Required value');
    const key = this.#key(t, ns, name);
    if (this.#store.has(key)) throw new HttpError(409, 'AlreadyExists', `${t.plural} "${name}" already exists`);
    const o = clone(obj);
    o.apiVersion = apiVersionOf(t);
    o.kind = t.kind;
    this.#rv++;
    o.metadata = {
      ...o.metadata,
      ...(ns ? { namespace: ns } : {}),
      uid: randomUUID(),
      resourceVersion: String(this.#rv),
      generation: 1,
      creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    if (t.kind === 'CustomResourceDefinition') this.#serveCrd(o);
    this.#store.set(key, o);
    this.#emit('ADDED', t, o);
    return clone(o);
  }
  /** `part`: which part of `next` counts (the main resource ignores status when the kind has a subresource). */
  #update(t: ResourceType, existing: KObject, next: KObject, part: 'main' | 'status', force = false): KObject {
    const want = next.metadata?.resourceVersion;
    if (!force && want !== undefined && want !== '' && want !== existing.metadata!.resourceVersion) {
      throw new HttpError(409, 'Conflict', `Operation cannot be fulfilled on ${t.plural} "${existing.metadata!.name}": the object has been modified; please apply your changes to the latest version and try again`);
    }
    let o: KObject;
    if (part === 'status') {
      o = clone(existing);
      o.status = clone(next.status);
    } else {
      o = clone(next);
      o.apiVersion = apiVersionOf(t);
      o.kind = t.kind;
      if (t.hasStatus) o.status = clone(existing.status);
      // Immutable metadata stays the server's.
      o.metadata = { ...o.metadata, name: existing.metadata!.name, namespace: existing.metadata!.namespace, uid: existing.metadata!.uid, creationTimestamp: existing.metadata!.creationTimestamp, generation: existing.metadata!.generation };
      if (!o.metadata.namespace) delete o.metadata.namespace;
      if (specOf(o) !== specOf(existing)) o.metadata.generation = (existing.metadata!.generation as number) + 1;
    }
    if (JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: '' } }) === JSON.stringify({ ...existing, metadata: { ...existing.metadata, resourceVersion: '' } })) {
      return clone(existing); // a no-op write does not bump resourceVersion, as in Kubernetes
    }
    this.#rv++;
    o.metadata!.resourceVersion = String(this.#rv);
    this.#store.set(this.#key(t, existing.metadata!.namespace as string | undefined, existing.metadata!.name!), o);
    this.#emit('MODIFIED', t, o);
    return clone(o);
  }
  #delete(t: ResourceType, ns: string | undefined, name: string): KObject {
    const key = this.#key(t, ns, name);
    const o = this.#store.get(key);
    if (!o) throw new HttpError(404, 'NotFound', `${t.plural} "${name}" not found`);
    this.#store.delete(key);
    if (t.kind === 'CustomResourceDefinition') for (const c of crdTypes(o)) this.#types = this.#types.filter((x) => !(x.group === c.group && x.version === c.version && x.plural === c.plural));
    this.#rv++;
    const gone = { ...o, metadata: { ...o.metadata, resourceVersion: String(this.#rv) } };
    this.#emit('DELETED', t, gone);
    return clone(gone);
  }
  /** the stored objects (not copies: clone what leaves), by namespace/name */
  #list(t: ResourceType, ns: string | undefined, selector: (o: KObject) => boolean): KObject[] {
    const prefix = `${t.group}/${t.plural}/`;
    const out: Array<[string, KObject]> = [];
    for (const [k, o] of this.#store) {
      if (!k.startsWith(prefix)) continue;
      if (ns && o.metadata?.namespace !== ns) continue;
      if (selector(o)) out.push([`${o.metadata?.namespace ?? ''}/${o.metadata?.name}`, o]);
    }
    return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, o]) => o);
  }

  // ---- HTTP ----

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'https://fake');
      const record: RequestRecord = { method: req.method ?? 'GET', path: url.pathname, contentType: req.headers['content-type'], userAgent: req.headers['user-agent'], query: Object.fromEntries(url.searchParams), at: performance.now() };
      this.requests.push(record);
      if (this.latencyMs > 0 && record.query.watch !== 'true' && record.query.watch !== '1') {
        const counted = this.counted(record);
        if (counted) this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
        setTimeout(() => {
          if (counted) this.inFlight--;
          this.#answer(req, res, url, chunks, record);
        }, this.latencyMs);
        return;
      }
      this.#answer(req, res, url, chunks, record);
    });
  }

  #answer(req: IncomingMessage, res: ServerResponse, url: URL, chunks: Buffer[], record: RequestRecord): void {
    try {
      const injected = this.fault?.(record);
      if (injected) throw new HttpError(injected, injected === 409 ? 'Conflict' : 'InternalError', `injected ${injected}`);
      if (req.headers.authorization !== `Bearer ${this.token}`) throw new HttpError(401, 'Unauthorized', 'Unauthorized');
      this.#route(req, res, url, Buffer.concat(chunks).toString('utf8'));
    } catch (err) {
      const e = err instanceof HttpError ? err : new HttpError(500, 'InternalError', String(err));
      this.#json(res, e.code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: e.message, reason: e.reason, code: e.code });
    }
  }

  #json(res: ServerResponse, code: number, body: unknown): void {
    if (res.headersSent) return;
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  #route(req: IncomingMessage, res: ServerResponse, url: URL, body: string): void {
    const seg = url.pathname.split('/').filter(Boolean);
    if (url.pathname === '/api') return this.#json(res, 200, { kind: 'APIVersions', versions: ['v1'] });
    if (url.pathname === '/apis') return this.#json(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [...new Set(this.#types.filter((t) => t.group).map((t) => t.group))].map((g) => { const v = this.#types.find((t) => t.group === g)!.version; return { name: g, versions: [{ groupVersion: `${g}/${v}`, version: v }], preferredVersion: { groupVersion: `${g}/${v}`, version: v } }; }) });
    let group: string;
    let version: string;
    let rest: string[];
    if (seg[0] === 'api' && seg.length >= 2) [group, version, rest] = ['', seg[1]!, seg.slice(2)];
    else if (seg[0] === 'apis' && seg.length >= 3) [group, version, rest] = [seg[1]!, seg[2]!, seg.slice(3)];
    else throw new HttpError(404, 'NotFound', `the server could not find the requested resource`);
    if (rest.length === 0) {
      const resources = this.#types.filter((t) => t.group === group && t.version === version).flatMap((t) => [
        { name: t.plural, singularName: t.kind.toLowerCase(), namespaced: t.namespaced, kind: t.kind, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
        ...(t.hasStatus ? [{ name: `${t.plural}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] }] : []),
      ]);
      if (!resources.length) throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
      return this.#json(res, 200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources });
    }
    let ns: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) [ns, rest] = [rest[1], rest.slice(2)];
    const [plural, name, sub] = rest;
    const t = this.#types.find((x) => x.group === group && x.version === version && x.plural === plural);
    if (!t || (sub !== undefined && sub !== 'status') || (sub === 'status' && !t.hasStatus)) throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    if (!t.namespaced) ns = undefined;
    const method = req.method ?? 'GET';
    const part = sub === 'status' ? 'status' : 'main';
    if (name === undefined) {
      if (method === 'GET') {
        const byLabel = labelSelector(url.searchParams.get('labelSelector'));
        const byField = fieldSelector(url.searchParams.get('fieldSelector'));
        const selector = (o: KObject): boolean => byLabel(o) && byField(o);
        const watch = url.searchParams.get('watch');
        if (watch === '1' || watch === 'true') return this.#watch(res, t, ns, selector, url.searchParams.get('resourceVersion') ?? '', Number(url.searchParams.get('timeoutSeconds') ?? 0));
        // As the real API server does, list items carry no apiVersion/kind of their own.
        const page = this.#page(this.#cachedList(`${t.group}/${t.plural} ${ns ?? ''} ${url.searchParams.get('labelSelector') ?? ''} ${url.searchParams.get('fieldSelector') ?? ''}`, () => this.#list(t, ns, selector)), url.searchParams);
        const items = page.items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
        return this.#json(res, 200, { kind: `${t.kind}List`, apiVersion: apiVersionOf(t), metadata: page.metadata, items });
      }
      if (method === 'POST') {
        if (t.namespaced && !ns) throw new HttpError(404, 'NotFound', 'namespace required');
        return this.#json(res, 201, this.#create(t, ns, JSON.parse(body) as KObject));
      }
      throw new HttpError(405, 'MethodNotAllowed', `${method} not allowed on a collection`);
    }
    const key = this.#key(t, ns, name);
    const existing = this.#store.get(key);
    if (method === 'GET') {
      if (!existing) throw new HttpError(404, 'NotFound', `${t.plural} "${name}" not found`);
      return this.#json(res, 200, existing);
    }
    if (method === 'DELETE') return this.#json(res, 200, this.#delete(t, ns, name));
    if (method === 'PUT') {
      if (!existing) throw new HttpError(404, 'NotFound', `${t.plural} "${name}" not found`);
      const next = JSON.parse(body) as KObject;
      if (next.metadata?.name !== name) throw new HttpError(400, 'BadRequest', 'the name of the object does not match the name on the URL');
      if (!next.metadata?.resourceVersion) throw new HttpError(422, 'Invalid', 'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update');
      return this.#json(res, 200, this.#update(t, existing, next, part));
    }
    if (method === 'PATCH') {
      const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
      if (ct === 'application/apply-patch+yaml') {
        const obj = parseYaml(body) as KObject;
        if (!url.searchParams.get('fieldManager')) throw new HttpError(422, 'Invalid', 'fieldManager is required for apply requests');
        if (!existing) {
          if (part === 'status') throw new HttpError(404, 'NotFound', `${t.plural} "${name}" not found`);
          return this.#json(res, 201, this.#create(t, ns, obj));
        }
        return this.#json(res, 200, this.#update(t, existing, mergePatch(existing, obj) as KObject, part));
      }
      if (ct !== 'application/merge-patch+json' && ct !== 'application/strategic-merge-patch+json') {
        throw new HttpError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (got ${ct})`);
      }
      if (!existing) throw new HttpError(404, 'NotFound', `${t.plural} "${name}" not found`);
      const patch = JSON.parse(body) as KObject;
      const merged = mergePatch(existing, patch) as KObject;
      // Only a resourceVersion written in the patch is a precondition.
      if (!patch.metadata || !('resourceVersion' in patch.metadata)) merged.metadata = { ...merged.metadata, resourceVersion: existing.metadata!.resourceVersion };
      return this.#json(res, 200, this.#update(t, existing, merged, part));
    }
    throw new HttpError(405, 'MethodNotAllowed', `${method} not allowed`);
  }

  /** The pages of one list read one sorted copy (made again after any write), not one each. */
  #cachedList(key: string, make: () => KObject[]): Array<[string, KObject]> {
    let hit = this.#listCache.get(key);
    if (hit?.rv !== this.#rv) {
      hit = { rv: this.#rv, items: make().map((o) => [`${o.metadata?.namespace ?? ''}/${o.metadata?.name}`, o]) };
      this.#listCache.set(key, hit);
    }
    return hit.items;
  }

  /**
   * `limit` and `continue` as the API server pages a list: the token holds the list's resourceVersion and
   * the last key sent, and one older than the compacted history is refused with 410 Expired. Later pages
   * read the store as it is now (a real server reads them at the list's version; the watch that follows
   * the list replays what changed, so a reflector ends up the same).
   */
  #page(all: Array<[string, KObject]>, q: URLSearchParams): { items: KObject[]; metadata: { resourceVersion: string; continue?: string } } {
    let rv = String(this.#rv);
    let from = 0;
    const token = q.get('continue');
    if (token) {
      if (q.get('resourceVersion')) throw new HttpError(400, 'BadRequest', 'specifying resource version is not allowed when using continue');
      let after: string;
      try {
        ({ rv, after } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { rv: string; after: string });
      } catch {
        throw new HttpError(400, 'BadRequest', 'continue key is not valid');
      }
      if (Number(rv) < this.#compactedRv) throw new HttpError(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
      // The first key after `after` (the list is sorted by key).
      for (let hi = all.length; from < hi; ) {
        const mid = (from + hi) >> 1;
        if (all[mid]![0] > after) hi = mid;
        else from = mid + 1;
      }
    }
    const limit = Number(q.get('limit') ?? 0);
    const end = limit > 0 ? Math.min(all.length, from + limit) : all.length;
    const items = all.slice(from, end).map(([, o]) => o);
    if (end === all.length) return { items, metadata: { resourceVersion: rv } };
    const next = Buffer.from(JSON.stringify({ rv, after: all[end - 1]![0] })).toString('base64url');
    return { items, metadata: { resourceVersion: rv, continue: next } };
  }

  #watch(res: ServerResponse, t: ResourceType, ns: string | undefined, selector: (o: KObject) => boolean, rv: string, timeoutSeconds: number): void {
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const w: Watcher = { t, namespace: ns, selector, res };
    if (rv === '' ) {
      // No version: the current state as ADDED events, then changes.
      for (const o of this.#list(t, ns, selector)) res.write(JSON.stringify({ type: 'ADDED', object: o }) + '\n');
    } else if (rv !== '0') {
      const from = Number(rv);
      if (!Number.isFinite(from) || from < this.#compactedRv) {
        res.end(JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${rv} (${this.#compactedRv})`, reason: 'Expired', code: 410 } }) + '\n');
        return;
      }
      for (const ev of this.#history) if (ev.rv > from) this.#send(w, ev);
    }
    this.#watchers.add(w);
    const done = (): void => {
      this.#watchers.delete(w);
    };
    res.on('close', done);
    if (timeoutSeconds > 0) {
      const timer = setTimeout(() => {
        done();
        res.end();
      }, timeoutSeconds * 1000);
      res.on('close', () => clearTimeout(timer));
    }
  }
}
