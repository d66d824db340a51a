// Finds and reads an upstream's OpenAPI document, as Gloo's function discovery does: a given URL
// (`swaggerInfo.url`) or inline text (`swaggerInfo.inline`), else GET each of the usual paths in
// turn until one answers 200 with a Swagger/OpenAPI document. Bounded in time and size; every
// failure is a value naming what was tried, never a throw.
import http from 'node:http';
import https from 'node:https';
import type { DiscoveredFunction } from '../types.ts';
import { discoverFromText } from './discover.ts';

/**
 * Gloo's list (its docs' order), then two common ones it lacks (`/api-docs`: swagger-jsdoc and
 * older springfox; `/v3/api-docs`: springdoc).
 */
export const OPENAPI_PATHS: readonly string[] = ['/openapi.json', '/swagger.json', '/swagger/docs/v1', '/swagger/docs/v2', '/v1/swagger', '/v2/swagger', '/api-docs', '/v3/api-docs'];

export interface FetchOpenApiOptions {
  /** the document's URL (absolute, or a path on the upstream); only it is tried */
  readonly url?: string;
  /** the document itself; nothing is fetched */
  readonly inline?: string;
  /** paths tried before the usual ones */
  readonly paths?: readonly string[];
  /** the whole search, default 10 s */
  readonly timeoutMs?: number;
  /** the largest document read, default 8 MiB */
  readonly maxBytes?: number;
  /** probe over HTTPS */
  readonly tls?: boolean;
  readonly signal?: AbortSignal;
}

export type OpenApiResult =
  | { readonly ok: true; readonly source: string; readonly functions: DiscoveredFunction[]; readonly warnings: string[] }
  | { readonly ok: false; readonly error: string };

type Got = { readonly status: number; readonly text: string } | { readonly error: string; readonly code?: string };

function get(url: URL, signal: AbortSignal, maxBytes: number): Promise<Got> {
  return new Promise<Got>((resolve) => {
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.get(url, { signal, agent: false, headers: { accept: 'application/json, application/yaml;q=0.9, */*;q=0.8', 'user-agent': 'sluice-openapi-discovery' } }, (res) => {
      const status = res.statusCode ?? 0;
      if (status !== 200) {
        res.resume();
        resolve({ status, text: '' });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) {
          req.destroy();
          resolve({ error: `document larger than ${maxBytes} bytes` });
        } else chunks.push(c);
      });
      res.on('end', () => resolve({ status, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err) => resolve({ error: err.message }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: signal.aborted ? 'timed out or cancelled' : err.message, code: err.code }));
  });
}

function describeGot(got: Got): string {
  return 'error' in got ? got.error : `HTTP ${got.status}`;
}

export async function fetchOpenApi(address: string, port: number, opts: FetchOpenApiOptions = {}): Promise<OpenApiResult> {
  if (opts.inline !== undefined) {
    const r = discoverFromText(opts.inline);
    return r.ok ? { ok: true, source: 'inline', functions: r.functions, warnings: r.warnings } : { ok: false, error: `inline document: ${r.error}` };
  }
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const signals = [AbortSignal.timeout(timeoutMs)];
  if (opts.signal) signals.push(opts.signal);
  const signal = AbortSignal.any(signals);
  const host = address.includes(':') ? `[${address}]` : address;
  const base = `${opts.tls ? 'https' : 'http'}://${host}:${port}`;
  let urls: URL[];
  try {
    urls = opts.url !== undefined ? [new URL(opts.url, base)] : [...(opts.paths ?? []), ...OPENAPI_PATHS].map((p) => new URL(p, base));
  } catch {
    return { ok: false, error: `not a URL: ${JSON.stringify(opts.url)}` };
  }
  const tried: string[] = [];
  for (const url of urls) {
    const got = await get(url, signal, opts.maxBytes ?? 8 * 1024 * 1024);
    if ('error' in got || got.status !== 200) {
      tried.push(`${url.pathname}: ${describeGot(got)}`);
      // Refused, or out of time: the other paths will not fare better.
      if (signal.aborted || ('code' in got && got.code === 'ECONNREFUSED')) break;
      continue;
    }
    const r = discoverFromText(got.text);
    if (r.ok) return { ok: true, source: url.href, functions: r.functions, warnings: r.warnings };
    tried.push(`${url.pathname}: ${r.error}`);
  }
  const why = signal.aborted && !opts.signal?.aborted ? ` (gave up after ${timeoutMs} ms)` : '';
  return { ok: false, error: `no OpenAPI document found at ${base}${why}: ${tried.join('; ')}` };
}
