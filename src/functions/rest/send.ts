// Sends a built request to one upstream address over HTTP/1.1 (node:http, one keep-alive agent
// for every REST call, so connections to an address are reused across requests and snapshots)
// and hands back its answer as it streams in.
import http from 'node:http';
import type { FunctionResponse, UpstreamAddress } from '../types.ts';
import type { UpstreamRequest } from './request.ts';

const agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 1000 });

const RESPONSE_HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'trailer', 'te']);

/** Sending failed before any answer (refused, reset, DNS): the upstream is unreachable. */
export class UpstreamUnreachableError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'UpstreamUnreachableError';
  }
}

/** Methods whose empty body is sent without a Content-Length, as clients do. */
const BODYLESS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE']);

export function sendUpstream(to: UpstreamAddress, req: UpstreamRequest, signal: AbortSignal): Promise<FunctionResponse> {
  const headers: Record<string, string | string[]> = { ...req.headers };
  if (req.body.length > 0 || !BODYLESS.has(req.method.toUpperCase())) headers['content-length'] = String(req.body.length);
  if (headers.host === undefined) headers.host = to.address.includes(':') ? `[${to.address}]:${to.port}` : `${to.address}:${to.port}`;
  return new Promise<FunctionResponse>((resolve, reject) => {
    const out = http.request({ host: to.address, port: to.port, method: req.method, path: req.path, headers, agent, signal, setHost: false });
    out.on('response', (res) => {
      const answer: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(res.headers)) {
        if (value !== undefined && !RESPONSE_HOP_BY_HOP.has(name)) answer[name] = value;
      }
      resolve({ status: res.statusCode ?? 502, headers: answer, body: res });
    });
    out.on('error', (err: NodeJS.ErrnoException) => {
      if (signal.aborted) reject(signal.reason ?? err);
      else reject(new UpstreamUnreachableError(err.code ?? 'EUNKNOWN', err.message));
    });
    out.end(req.body);
  });
}
