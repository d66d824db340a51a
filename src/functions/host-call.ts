// One function call on the host: from the forwarded request (its call header checked) to the
// handler's answer. The binding and its Cluster are read from the snapshot current when the call
// starts, and the call finishes on them, as every exchange finishes on the snapshot it began with.
import type http from 'node:http';
import type { Logger } from '../log.ts';
import { findSorted } from '../snapshot/list-diff.ts';
import type { Cluster, Snapshot } from '../snapshot/types.ts';
import { BodyTooLarge, readBody } from './host-body.ts';
import { calledBinding, FUNCTION_HEADER } from './host-header.ts';
import { jsonError, writeAnswer, writeError } from './host-reply.ts';
import type { FunctionRegistry } from './registry.ts';
import type { FunctionBinding, FunctionContext, FunctionRequest, UpstreamAddress } from './types.ts';

export interface CallDeps {
  readonly current: () => Snapshot | undefined;
  readonly registry: FunctionRegistry;
  readonly log: Logger;
  readonly bodyLimit: number;
  /** round-robin position per cluster, shared by the calls of one host */
  readonly cursors: Map<string, number>;
}

const byName = (x: { readonly name: string }): string => x.name;

/** Headers the handler does not see: the body is whole, the connection is the host's. */
const NOT_PASSED = new Set([FUNCTION_HEADER, 'content-length', 'transfer-encoding', 'connection', 'keep-alive']);

export async function serveCall(deps: CallDeps, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const header = req.headers[FUNCTION_HEADER];
  const name = calledBinding(typeof header === 'string' ? header : undefined);
  if (name === undefined) return writeError(req, res, jsonError(403, 'not a function call from this gateway'));
  const snapshot = deps.current();
  const binding = snapshot?.functions === undefined ? undefined : findSorted(snapshot.functions, byName, name);
  if (binding === undefined) return writeError(req, res, jsonError(500, 'no such function', { function: name }));
  const handler = deps.registry.handlerFor(binding.call);
  if (handler === undefined) return writeError(req, res, jsonError(501, 'function call type not supported by this gateway', { function: name, type: binding.call.type }));
  let cluster: Cluster | undefined;
  if (binding.cluster !== undefined) {
    cluster = findSorted(snapshot!.clusters, byName, binding.cluster);
    if (cluster === undefined || cluster.endpoints.length === 0) return writeError(req, res, jsonError(503, 'no healthy upstream', { function: name }));
  }
  const aborts = new AbortController();
  // The exchange closes this connection when its client goes away or the route's timeout fires.
  res.on('close', () => {
    if (!res.writableFinished) aborts.abort(new Error('the client went away'));
  });
  let body: Buffer;
  try {
    body = await readBody(req, deps.bodyLimit);
  } catch (err) {
    if (err instanceof BodyTooLarge) return writeError(req, res, jsonError(413, `request body over ${deps.bodyLimit} bytes`, { function: name }));
    return void res.destroy();
  }
  const ctx: FunctionContext = { pick: () => pick(deps.cursors, cluster), signal: aborts.signal };
  try {
    const answer = await handler(binding.call, requestOf(req, body), ctx);
    if (aborts.signal.aborted) return;
    await writeAnswer(res, answer, aborts.signal);
  } catch (err) {
    if (aborts.signal.aborted) return void res.destroy();
    failed(deps.log, binding, err);
    // Before the head: a 502 naming the function. After it: a reset, which the exchange reports.
    writeError(req, res, jsonError(502, 'function call failed', { function: name }));
  }
}

function failed(log: Logger, binding: FunctionBinding, err: unknown): void {
  log.warn({ function: binding.name, type: binding.call.type, err: err instanceof Error ? err.message : String(err) }, 'function call failed');
}

function pick(cursors: Map<string, number>, cluster: Cluster | undefined): UpstreamAddress | undefined {
  const eps = cluster?.endpoints;
  if (eps === undefined || eps.length === 0) return undefined;
  const i = (cursors.get(cluster!.name) ?? 0) % eps.length;
  cursors.set(cluster!.name, i + 1);
  const e = eps[i]!;
  return { address: e.address, port: e.port };
}

function requestOf(req: http.IncomingMessage, body: Buffer): FunctionRequest {
  const headers: Record<string, string | readonly string[]> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (values === undefined || NOT_PASSED.has(name)) continue;
    headers[name] = values.length === 1 ? values[0]! : values;
  }
  return { method: req.method ?? 'GET', path: req.url ?? '/', headers, body };
}
