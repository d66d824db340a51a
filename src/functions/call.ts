// One function call, in the gateway's own process: the front end dispatches a function split's
// request as it would to an upstream pool (dispatcher.ts), and this runs it: the binding and its
// Cluster are read from the snapshot current when the call starts (and the call finishes on them,
// as every exchange finishes on the snapshot it began with), the body is read whole (bounded), the
// call type's handler runs, and its answer goes back through the front end's handler callbacks,
// so timeouts, retries, mirrors, header edits, policies, logs and metrics stay the exchange's.
import type { Dispatcher } from 'undici';
import type { Logger } from '../log.ts';
import { findSorted } from '../snapshot/list-diff.ts';
import type { Cluster, Snapshot } from '../snapshot/types.ts';
import { BodyTooLarge, readBody } from './call-body.ts';
import { answerHead, type CallHandler, errorAnswer, jsonError } from './call-reply.ts';
import type { FunctionRegistry } from './registry.ts';
import type { FunctionBinding, FunctionContext, FunctionRequest, FunctionResponse, UpstreamAddress } from './types.ts';

export interface CallDeps {
  readonly current: () => Snapshot | undefined;
  readonly registry: FunctionRegistry;
  readonly log: Logger;
  readonly bodyLimit: number;
  /** round-robin position per cluster, shared by the calls of one data plane */
  readonly cursors: Map<string, number>;
}

const byName = (x: { readonly name: string }): string => x.name;

/** Headers the handler does not see: the body is whole, the connection is the front end's. */
const NOT_PASSED = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);

/** The request as the exchange would send it upstream, in the form handlers take. */
interface Incoming {
  readonly request: Omit<FunctionRequest, 'body'>;
  readonly declared: number | undefined;
  readonly contentType: string | undefined;
}

export function runCall(deps: CallDeps, name: string, opts: Dispatcher.DispatchOptions, handler: CallHandler): void {
  new Call(deps, name, handler).run(opts).catch((err: unknown) => {
    deps.log.error({ function: name, err: err instanceof Error ? err.message : String(err) }, 'function call failed unexpectedly');
  });
}

class Call {
  readonly #deps: CallDeps;
  readonly #name: string;
  readonly #handler: CallHandler;
  readonly #aborts = new AbortController();
  /** the handler has heard its last callback (onComplete or onError) */
  #ended = false;
  #headSent = false;
  #resume: (() => void) | undefined;

  constructor(deps: CallDeps, name: string, handler: CallHandler) {
    this.#deps = deps;
    this.#name = name;
    this.#handler = handler;
  }

  async run(opts: Dispatcher.DispatchOptions): Promise<void> {
    const signal = this.#aborts.signal;
    // Aborted by the front end: the client went away, the route's timeout fired, or a retry took over.
    signal.addEventListener('abort', () => this.#fail(signal.reason instanceof Error ? signal.reason : new Error('call aborted')), { once: true });
    this.#handler.onConnect?.((err) => {
      if (!signal.aborted) this.#aborts.abort(err ?? new Error('call aborted'));
    });
    if (this.#ended) return;
    const incoming = incomingOf(opts);
    const found = this.#find();
    if (!('binding' in found)) {
      // Nothing reads the body: drop it, so the client sees the answer.
      if (opts.body !== null && typeof opts.body === 'object' && 'resume' in opts.body) opts.body.resume();
      return this.#reply(found, incoming.contentType);
    }
    const { binding, handler, cluster } = found;
    let body: Buffer;
    try {
      body = await readBody(opts.body as Parameters<typeof readBody>[0], this.#deps.bodyLimit, incoming.declared, signal);
    } catch (err) {
      if (err instanceof BodyTooLarge) return this.#reply(jsonError(413, `request body over ${this.#deps.bodyLimit} bytes`, { function: this.#name }), incoming.contentType);
      return this.#fail(err instanceof Error ? err : new Error(String(err)));
    }
    if (this.#ended) return;
    const ctx: FunctionContext = { pick: () => pick(this.#deps.cursors, cluster), signal };
    try {
      const answer = await handler(binding.call, { ...incoming.request, body }, ctx);
      if (this.#ended) return;
      await this.#send(answer, incoming.request.method === 'HEAD');
    } catch (err) {
      if (this.#ended) return;
      this.#deps.log.warn({ function: binding.name, type: binding.call.type, err: err instanceof Error ? err.message : String(err) }, 'function call failed');
      // Before the head: a 502 naming the function. After it: an error, which the front end reports as a reset.
      if (this.#headSent) this.#fail(err instanceof Error ? err : new Error(String(err)));
      else this.#reply(jsonError(502, 'function call failed', { function: this.#name }), incoming.contentType);
    }
  }

  /** The binding, its handler and its Cluster; or the error the gateway answers instead. */
  #find(): { binding: FunctionBinding; handler: NonNullable<ReturnType<FunctionRegistry['handlerFor']>>; cluster: Cluster | undefined } | ReturnType<typeof jsonError> {
    const name = this.#name;
    const snapshot = this.#deps.current();
    const binding = snapshot?.functions === undefined ? undefined : findSorted(snapshot.functions, byName, name);
    if (binding === undefined) return jsonError(500, 'no such function', { function: name });
    const handler = this.#deps.registry.handlerFor(binding.call);
    if (handler === undefined) return jsonError(501, 'function call type not supported by this gateway', { function: name, type: binding.call.type });
    let cluster: Cluster | undefined;
    if (binding.cluster !== undefined) {
      cluster = findSorted(snapshot!.clusters, byName, binding.cluster);
      if (cluster === undefined || cluster.endpoints.length === 0) return jsonError(503, 'no healthy upstream', { function: name });
    }
    return { binding, handler, cluster };
  }

  /** The head; false when the front end will take no more (it aborts, or waits to resume). */
  #head(status: number, raw: Buffer[]): boolean {
    this.#headSent = true;
    const ok = this.#handler.onHeaders?.(status, raw, () => this.#resume?.(), '') ?? true;
    return ok && !this.#ended;
  }

  #reply(reply: ReturnType<typeof jsonError>, contentType: string | undefined): void {
    if (this.#ended) return;
    const { head, status, body } = errorAnswer(reply, contentType);
    if (!this.#head(status, head) && this.#ended) return;
    this.#handler.onData?.(body);
    this.#complete();
  }

  async #send(answer: FunctionResponse, head: boolean): Promise<void> {
    const body = answer.body;
    if (body instanceof Uint8Array) {
      const raw = answerHead(answer, body.length);
      if (!this.#head(answer.status, raw) && this.#ended) return;
      if (!head && body.length > 0) this.#handler.onData?.(asBuffer(body));
      return this.#complete();
    }
    const raw = answerHead(answer, undefined);
    let flowing = this.#head(answer.status, raw);
    if (this.#ended) return;
    if (!head) {
      for await (const chunk of body) {
        if (!flowing) await this.#resumed();
        if (this.#ended) return;
        flowing = this.#handler.onData?.(asBuffer(chunk)) ?? true;
        if (this.#ended) return;
      }
      if (!flowing) await this.#resumed();
    } else {
      // A HEAD answer has no body: the handler's stream is closed rather than left open.
      void body[Symbol.asyncIterator]().return?.();
    }
    this.#complete();
  }

  /** Resolves when the front end can take more, or the call is aborted. */
  #resumed(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.#resume = undefined;
        this.#aborts.signal.removeEventListener('abort', done);
        resolve();
      };
      this.#resume = done;
      this.#aborts.signal.addEventListener('abort', done);
    });
  }

  #complete(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#handler.onComplete?.(null);
  }

  #fail(err: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    if (!this.#aborts.signal.aborted) this.#aborts.abort(err);
    // Never inside the front end's own callback (it may be aborting from onHeaders).
    queueMicrotask(() => this.#handler.onError?.(err));
  }
}

/** The request's method, path and headers (lower-case, repeated ones as arrays), its declared length and content type. */
function incomingOf(opts: Dispatcher.DispatchOptions): Incoming {
  const headers: Record<string, string | string[]> = {};
  let declared: number | undefined;
  let contentType: string | undefined;
  const add = (name: string, value: string): void => {
    const lower = name.toLowerCase();
    if (lower === 'content-length') declared = Number(value);
    else if (lower === 'content-type') contentType = value;
    if (NOT_PASSED.has(lower)) return;
    const had = headers[lower];
    if (had === undefined) headers[lower] = value;
    else if (typeof had === 'string') headers[lower] = [had, value];
    else had.push(value);
  };
  const h = opts.headers;
  if (Array.isArray(h)) for (let i = 0; i + 1 < h.length; i += 2) add(String(h[i]), String(h[i + 1]));
  else if (h !== null && h !== undefined && typeof h === 'object') {
    for (const [n, v] of Object.entries(h as Record<string, string | string[] | undefined>)) {
      if (v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [v]) add(n, one);
    }
  }
  return { request: { method: opts.method, path: opts.path, headers }, declared: Number.isFinite(declared) ? declared : undefined, contentType };
}

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

function pick(cursors: Map<string, number>, cluster: Cluster | undefined): UpstreamAddress | undefined {
  const eps = cluster?.endpoints;
  if (eps === undefined || eps.length === 0) return undefined;
  const i = (cursors.get(cluster!.name) ?? 0) % eps.length;
  cursors.set(cluster!.name, i + 1);
  const e = eps[i]!;
  return { address: e.address, port: e.port };
}
