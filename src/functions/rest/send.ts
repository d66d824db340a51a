// Sends a built request to one upstream address over HTTP/1.1 and hands back its answer as it
// streams in. undici, one keep-alive pool per address shared by every REST call (across requests
// and snapshots): a call costs about half what node:http's client does.
import { Agent, type Dispatcher } from 'undici';
import type { FunctionResponse, UpstreamAddress } from '../types.ts';
import type { UpstreamRequest } from './request.ts';

const agent = new Agent({ keepAliveTimeout: 4000, connect: { timeout: 10_000 } });

const RESPONSE_HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'trailer', 'te']);
/** Request fields the client sets itself (undici refuses them): framing and connection management. */
const REQUEST_OWN = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'expect', 'content-length']);

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

export async function sendUpstream(to: UpstreamAddress, req: UpstreamRequest, signal: AbortSignal): Promise<FunctionResponse> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) if (!REQUEST_OWN.has(name.toLowerCase())) headers[name] = value as string | string[];
  const host = to.address.includes(':') ? `[${to.address}]:${to.port}` : `${to.address}:${to.port}`;
  if (headers.host === undefined) headers.host = host;
  const bodyless = req.body.length === 0 && BODYLESS.has(req.method.toUpperCase());
  let res: Dispatcher.ResponseData;
  try {
    res = await agent.request({ origin: `http://${host}`, method: req.method as Dispatcher.HttpMethod, path: req.path, headers, body: bodyless ? null : req.body, signal });
  } catch (err) {
    if (signal.aborted) throw signal.reason ?? err;
    const e = err as Error & { code?: string; cause?: { code?: string } };
    throw new UpstreamUnreachableError(e.cause?.code ?? e.code ?? 'EUNKNOWN', e.message);
  }
  const answer: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined && !RESPONSE_HOP_BY_HOP.has(name)) answer[name] = value;
  }
  return { status: res.statusCode, headers: answer, body: res.body };
}
