// Envoy's ext_authz HTTP protocol: the client's method and path (after the service's path prefix)
// and the chosen headers are sent, without a body, to the authorization server. A 2xx allows; any
// other status, with its body and headers, is the client's answer.
import http from 'node:http';
import type { AuthzAnswer, AuthzCheck, AuthzClient } from './ext-authz-types.ts';
import { safeHeaders } from './ext-authz-types.ts';

/** Bytes of a denial body kept; the rest is cut, so a large answer cannot hold memory. */
export const MAX_DENIAL_BODY = 64 * 1024;

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

export class HttpAuthzClient implements AuthzClient {
  readonly #host: string;
  readonly #port: number;
  readonly #prefix: string;

  constructor(
    url: string,
    readonly upstreamAllow: readonly string[],
  ) {
    const u = new URL(url);
    this.#host = u.hostname.replace(/^\[|\]$/g, '');
    this.#port = u.port === '' ? 80 : Number(u.port);
    this.#prefix = u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '');
  }

  check(c: AuthzCheck, timeoutMs: number): Promise<AuthzAnswer> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { host: c.host, 'content-length': String(c.body?.length ?? 0) };
      for (const [n, v] of c.headers) headers[n] = headers[n] === undefined ? v : `${headers[n]}, ${v}`;
      const req = http.request({ agent, host: this.#host, port: this.#port, method: c.method, path: this.#prefix + c.path, headers });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`ext_authz: no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        const pairs = pairsOf(res.rawHeaders);
        if (status >= 200 && status < 300) {
          res.resume();
          res.on('end', () => resolve({ allow: true, upstreamHeaders: safeHeaders(pairs, this.upstreamAllow) }));
          res.on('error', reject);
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (d: Buffer) => {
          if (size < MAX_DENIAL_BODY) chunks.push(d.subarray(0, MAX_DENIAL_BODY - size));
          size += d.length;
        });
        res.on('error', reject);
        res.on('end', () => resolve({ allow: false, status: status >= 100 && status < 600 ? status : 403, headers: safeHeaders(pairs), body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.end(c.body);
    });
  }
}

function pairsOf(raw: readonly string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}
