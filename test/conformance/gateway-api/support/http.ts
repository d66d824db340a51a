// conformance/utils/http and roundtripper: ExpectedResponse, the round trip a Go http.Client makes
// (no keep-alive, Host from the request, redirects followed unless UnfollowRedirect), and
// CompareRoundTrip. Connections go to the Gateway address's listener port plus the suite's port
// offset, which the client never sees: Host, URLs and redirects keep the listener port.
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type tls from 'node:tls';
import type { EchoAssertions } from '../../../support/echo-backend.ts';
import type { MirroredBackend } from './mirror.ts';
import { pollUntil } from './status.ts';
import type { ConformanceSuite, TimeoutConfig } from './suite.ts';

export interface Request {
  host?: string;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  unfollowRedirect?: boolean;
  /** HTTP (default), HTTPS, H2C_PRIOR_KNOWLEDGE, H2 */
  protocol?: string;
  body?: string;
  sni?: string;
}

/** The Go struct embeds Request; its fields are under `request` here. */
export interface ExpectedRequest {
  request: Request;
  absentHeaders?: string[];
  httpPort?: string;
}

export interface RedirectRequest {
  scheme?: string;
  host?: string;
  port?: string;
  path?: string;
}

export interface Response {
  statusCode?: number;
  statusCodes?: number[];
  headers?: Record<string, string>;
  validHeaderValues?: Record<string, string[]>;
  absentHeaders?: string[];
  protocol?: string;
  ignoreWhitespace?: boolean;
}

export interface ExpectedResponse {
  request: Request;
  expectedRequest?: ExpectedRequest;
  redirectRequest?: RedirectRequest;
  backendSetResponseHeaders?: Record<string, string>;
  response?: Response;
  backend?: string;
  namespace?: string;
  testCaseName?: string;
  serverName?: string;
  /** the destination backends of a mirrored request */
  mirroredTo?: MirroredBackend[];
}

export interface RoundTripRequest {
  url: URL;
  host: string;
  protocol: string;
  method: string;
  headers: Record<string, string>;
  unfollowRedirect: boolean;
  body?: string;
  serverName?: string;
  ca?: string;
  /** a client certificate and key (PEM) to present */
  cert?: string;
  key?: string;
}

export interface CapturedResponse {
  statusCode: number;
  protocol: string;
  headers: Record<string, string[]>;
  redirectRequest?: { scheme: string; host: string; port: string; path: string };
}

export type CapturedRequest = Partial<EchoAssertions>;

const REDIRECTS = new Set([300, 301, 302, 303, 304, 305, 307, 308]);

/** GetTestCaseName. */
export function testCaseName(er: ExpectedResponse, i: number): string {
  if (er.testCaseName) return er.testCaseName;
  const req = `${i} request to '${er.request.host ?? ''}${er.request.path ?? ''}'${er.request.headers ? ' with headers' : ''}`;
  if (er.backend) return `${req} should go to ${er.backend}`;
  return `${req} should receive one of [${statusCodes(er).join(' ')}]`;
}

function statusCodes(er: ExpectedResponse): number[] {
  const codes = [...(er.response?.statusCodes ?? [])];
  if (er.response?.statusCode && !codes.includes(er.response.statusCode)) codes.push(er.response.statusCode);
  return codes.length ? codes : [200];
}

/** CalculateHost: the address without the scheme's default port. */
export function calculateHost(gwAddr: string, scheme: string): string {
  const i = gwAddr.lastIndexOf(':');
  if (i < 0 || gwAddr.endsWith(']')) return gwAddr;
  const port = gwAddr.slice(i + 1);
  if ((scheme === 'http' && port === '80') || (scheme === 'https' && port === '443')) return gwAddr.slice(0, i);
  return gwAddr;
}

/** MakeRequest. */
export function makeRequest(expected: ExpectedResponse, gwAddr: string, protocol: string, scheme: string): RoundTripRequest {
  const [path, query] = splitOnce(expected.request.path ?? '', '?');
  const url = new URL(`${scheme}://${calculateHost(gwAddr, scheme)}`);
  url.pathname = path;
  if (query !== undefined) url.search = query;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(expected.request.headers ?? {})) headers[k] = v;
  headers['X-Echo-Set-Header'] = Object.entries(expected.backendSetResponseHeaders ?? {}).map(([k, v]) => `${k}:${v}`).join(',');
  return {
    url,
    host: expected.request.host ?? '',
    protocol: expected.request.protocol || protocol,
    method: expected.request.method || 'GET',
    headers,
    unfollowRedirect: expected.request.unfollowRedirect ?? false,
    ...(expected.request.body ? { body: expected.request.body } : {}),
  };
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

function defaultPort(u: URL): number {
  return u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
}

function headerRecord(raw: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.startsWith(':')) continue;
    (out[raw[i]!.toLowerCase()] ??= []).push(raw[i + 1]!);
  }
  return out;
}

interface RawReply {
  status: number;
  protocol: string;
  rawHeaders: string[];
  body: string;
}

function once(s: ConformanceSuite, r: RoundTripRequest, url: URL): Promise<RawReply> {
  const { host, port } = s.dial(defaultPort(url));
  const hostHeader = r.host || url.host;
  const path = url.pathname + url.search;
  const timeout = s.timeouts.request;
  if (r.protocol === 'H2C_PRIOR_KNOWLEDGE' || r.protocol === 'H2') {
    return new Promise((resolve, reject) => {
      const tls = r.protocol === 'H2';
      const session = http2.connect(`${tls ? 'https' : 'http'}://${host}:${port}`, tls ? { servername: r.serverName, ca: r.ca, cert: r.cert, key: r.key, checkServerIdentity: goCheckServerIdentity } : {});
      session.on('error', reject);
      const req = session.request({ ':method': r.method, ':path': path, ':authority': hostHeader, ':scheme': tls ? 'https' : 'http', 'user-agent': 'Go-http-client/2.0', ...lower(r.headers) });
      const chunks: Buffer[] = [];
      let head: http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader = {};
      let rawHead: string[] = [];
      req.setTimeout(timeout, () => req.close(http2.constants.NGHTTP2_CANCEL));
      req.on('response', (h: http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader) => {
        head = h;
        rawHead = Object.entries(h).flatMap(([k, v]) => (Array.isArray(v) ? v.flatMap((x) => [k, x]) : v === undefined ? [] : [k, String(v)]));
      });
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('error', (e) => {
        session.close();
        reject(e);
      });
      req.on('close', () => {
        session.close();
        if (head[':status'] === undefined) return reject(new Error(`${r.method} ${path}: stream closed without a response`));
        resolve({ status: Number(head[':status']), protocol: 'HTTP/2.0', rawHeaders: rawHead, body: Buffer.concat(chunks).toString('utf8') });
      });
      if (r.body) req.end(r.body);
      else req.end();
    });
  }
  const tls = url.protocol === 'https:';
  const opts: https.RequestOptions = {
    host,
    port,
    path,
    method: r.method,
    agent: false,
    headers: { Host: hostHeader, 'User-Agent': 'Go-http-client/1.1', 'Accept-Encoding': 'gzip', ...r.headers, ...(r.body ? { 'Content-Length': String(Buffer.byteLength(r.body)) } : {}) },
    ...(tls ? { servername: r.serverName ?? url.hostname, ca: r.ca, cert: r.cert, key: r.key, checkServerIdentity: goCheckServerIdentity } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = (tls ? https : http).request(opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, protocol: `HTTP/${res.httpVersion}`, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(timeout, () => req.destroy(new Error(`${r.method} ${url.href}: no answer within ${timeout} ms`)));
    req.on('error', reject);
    req.end(r.body);
  });
}

/**
 * Go's crypto/x509 host name check: a DNS SAN matches the name exactly (case-insensitively), or,
 * as `*.rest`, any name of one more label ending in `.rest` (Go accepts `*.org`; Node does not).
 */
function goCheckServerIdentity(host: string, cert: tls.PeerCertificate): Error | undefined {
  const name = host.toLowerCase().replace(/\.$/, '');
  const sans = (cert.subjectaltname ?? '').split(', ').filter((x) => x.startsWith('DNS:')).map((x) => x.slice(4).toLowerCase());
  for (const san of sans) {
    if (san === name) return undefined;
    if (san.startsWith('*.') && name.endsWith(san.slice(1)) && !name.slice(0, name.length - san.length + 1).includes('.') && name.length > san.length - 1) return undefined;
  }
  return new Error(`x509: certificate is valid for ${sans.join(', ')}, not ${host}`);
}

function lower(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

/** CaptureRoundTrip. */
export async function captureRoundTrip(s: ConformanceSuite, r: RoundTripRequest): Promise<{ cReq: CapturedRequest; cRes: CapturedResponse }> {
  let url = r.url;
  let req = r;
  let reply = await once(s, req, url);
  for (let hops = 0; !r.unfollowRedirect && [301, 302, 303, 307, 308].includes(reply.status); hops++) {
    const loc = headerRecord(reply.rawHeaders).location?.[0];
    if (!loc) break;
    if (hops === 10) throw new Error('stopped after 10 redirects');
    url = new URL(loc, url);
    // Go's client: a redirect after 301/302/303 becomes a bodiless GET; the Host follows the URL.
    req = { ...req, host: '', ...([301, 302, 303].includes(reply.status) && req.method !== 'HEAD' ? { method: 'GET', body: undefined } : {}) };
    reply = await once(s, req, url);
  }
  const headers = headerRecord(reply.rawHeaders);
  let cReq: CapturedRequest = {};
  if (headers['content-type']?.[0] === 'application/json') {
    try {
      cReq = JSON.parse(reply.body) as CapturedRequest;
    } catch (err) {
      throw new Error(`unexpected error reading response: ${(err as Error).message}`);
    }
  } else {
    cReq.method = req.method;
  }
  const cRes: CapturedResponse = { statusCode: reply.status, protocol: reply.protocol, headers };
  if (REDIRECTS.has(reply.status)) {
    const loc = headers.location?.[0];
    if (!loc) throw new Error(`http: ${reply.status} response missing Location header`);
    const u = new URL(loc, url);
    cRes.redirectRequest = { scheme: u.protocol.replace(/:$/, ''), host: u.hostname.replace(/^\[|\]$/g, ''), port: explicitPort(loc, u), path: u.pathname };
  }
  return { cReq, cRes };
}

/** url.Port(): the port as written in the Location (WHATWG URL drops a default port, Go does not). */
function explicitPort(loc: string, u: URL): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)(?::(\d*))?/i.exec(loc);
  if (m) return m[2] ?? '';
  return u.port;
}

/** CompareRoundTrip: undefined when the round trip meets `expected`, else why not. */
export function compareRoundTrip(req: RoundTripRequest, cReq: CapturedRequest, cRes: CapturedResponse, expected: ExpectedResponse): string | undefined {
  const codes = statusCodes(expected);
  if (!codes.includes(cRes.statusCode)) return `expected status code to be one of [${codes.join(' ')}], got ${cRes.statusCode}`;
  const res = expected.response ?? {};
  if (res.protocol && res.protocol !== cRes.protocol) return `expected protocol to be ${res.protocol}, got ${cRes.protocol}`;
  if (cRes.statusCode === 200 || cRes.statusCode === 204) {
    const er: ExpectedRequest = expected.expectedRequest ?? { request: { ...expected.request } };
    const method = er.request.method || 'GET';
    if (er.request.host && er.request.host !== cReq.host) return `expected host to be ${er.request.host}, got ${cReq.host}`;
    // A reply that is not the echo's JSON (a CORS preflight answered by the gateway) has Go's zero path.
    if ((er.request.path ?? '') !== (cReq.path ?? '')) return `expected path to be ${er.request.path ?? ''}, got ${cReq.path}`;
    if (method !== cReq.method) return `expected method to be ${method}, got ${cReq.method}`;
    if ((expected.namespace ?? '') !== (cReq.namespace ?? '')) return `expected namespace to be ${expected.namespace ?? ''}, got ${cReq.namespace}`;
    const reqHeaders = lowerKeys(cReq.headers ?? {});
    for (const [name, want] of Object.entries(er.request.headers ?? {})) {
      const got = reqHeaders[name.toLowerCase()];
      if (!got) return `expected ${name} header to be set, actual headers: ${JSON.stringify(cReq.headers)}`;
      if (got.join(',') !== want) return `expected ${name} header to be set to ${want}, got ${got.join(',')}`;
    }
    if (er.httpPort && er.httpPort !== cReq.httpPort) return `expected httpPort ${er.httpPort}, got ${cReq.httpPort}`;
    const ws = (v: string): string => (res.ignoreWhitespace ? v.replaceAll(' ', '') : v);
    for (const [name, valid] of Object.entries(res.validHeaderValues ?? {})) {
      const got = cRes.headers[name.toLowerCase()];
      if (!got) return `expected ${name} header to be set, actual headers: ${JSON.stringify(cRes.headers)}`;
      if (!valid.map(ws).includes(ws(got.join(',')))) return `expected ${name} header to be set to one of ${JSON.stringify(valid)}, got ${got.join(',')}`;
    }
    for (const [name, want] of Object.entries(res.headers ?? {})) {
      const got = cRes.headers[name.toLowerCase()];
      if (!got) return `expected ${name} header to be set, actual headers: ${JSON.stringify(cRes.headers)}`;
      if (ws(got.join(',')) !== ws(want)) return `expected ${name} header to be set to ${want}, got ${got.join(',')}`;
    }
    for (const name of res.absentHeaders ?? []) {
      const got = cRes.headers[name.toLowerCase()];
      if (got) return `expected ${name} header to not be set, got ${got.join(',')}`;
    }
    for (const name of er.absentHeaders ?? []) {
      const got = reqHeaders[name.toLowerCase()];
      if (got) return `expected ${name} header to not be set, got ${got.join(',')}`;
    }
    if (!(cReq.pod ?? '').startsWith(expected.backend ?? '')) return `expected pod name to start with ${expected.backend}, got ${cReq.pod}`;
  } else if (REDIRECTS.has(cRes.statusCode)) {
    if (!expected.redirectRequest) return undefined;
    const got = cRes.redirectRequest!;
    // setRedirectRequestDefaults
    const want = { host: expected.redirectRequest.host || got.host, scheme: expected.redirectRequest.scheme || req.url.protocol.replace(/:$/, ''), path: expected.redirectRequest.path || req.url.pathname, port: expected.redirectRequest.port ?? '' };
    if (want.host !== got.host) return `expected redirected hostname to be "${want.host}", got "${got.host}"`;
    if (want.port === '') {
      if (got.scheme.toLowerCase() === 'http' && got.port !== '80' && got.port !== '') return `for http scheme, expected redirected port to be 80 or not set, got "${got.port}"`;
      if (got.scheme.toLowerCase() === 'https' && got.port !== '443' && got.port !== '') return `for https scheme, expected redirected port to be 443 or not set, got "${got.port}"`;
    } else if (want.port !== got.port) return `expected redirected port to be "${want.port}", got "${got.port}"`;
    if (want.scheme !== got.scheme) return `expected redirected scheme to be "${want.scheme}", got "${got.scheme}"`;
    if (want.path !== got.path) return `expected redirected path to be "${want.path}", got "${got.path}"`;
  }
  return undefined;
}

function lowerKeys(h: Record<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

/** AwaitConvergence: `fn` must hold `threshold` times in a row within the bound. */
export async function awaitConvergence(threshold: number, boundMs: number, fn: () => Promise<string | undefined>): Promise<void> {
  let successes = 0;
  await pollUntil(`${threshold} consecutive successes`, boundMs, async () => {
    for (;;) {
      const why = await fn();
      if (why !== undefined) {
        successes = 0;
        return why;
      }
      if (++successes >= threshold) return true;
    }
  });
}

/** WaitForConsistentResponse. */
export async function waitForConsistentResponse(s: ConformanceSuite, req: RoundTripRequest, expected: ExpectedResponse, threshold: number, boundMs: number): Promise<void> {
  await awaitConvergence(threshold, boundMs, async () => {
    let rt: { cReq: CapturedRequest; cRes: CapturedResponse };
    try {
      rt = await captureRoundTrip(s, req);
    } catch (err) {
      return `request failed: ${(err as Error).message}`;
    }
    // A timeout expected (504 among the codes) accepts any timeout answer, as IsTimeoutError does.
    if (isTimeoutError(rt.cRes.statusCode) && statusCodes(expected).some(isTimeoutError)) return undefined;
    return compareRoundTrip(req, rt.cReq, rt.cRes, expected);
  });
}

/** MakeRequestAndExpectEventuallyConsistentResponse. */
export async function makeRequestAndExpectEventuallyConsistentResponse(s: ConformanceSuite, gwAddr: string, expected: ExpectedResponse, timeouts: TimeoutConfig = s.timeouts): Promise<void> {
  const req = makeRequest(expected, gwAddr, 'HTTP', 'http');
  await waitForConsistentResponse(s, req, expected, timeouts.requiredConsecutiveSuccesses, timeouts.consistency);
}

/** MakeRequestAndExpectFailure: once stable, the request must never get 200. */
export async function makeRequestAndExpectFailure(s: ConformanceSuite, gwAddr: string, expected: ExpectedResponse): Promise<void> {
  const req = makeRequest(expected, gwAddr, 'HTTP', 'http');
  let fatal: Error | undefined;
  await awaitConvergence(5, s.timeouts.consistency, async () => {
    if (fatal) return undefined;
    const { cRes } = await captureRoundTrip(s, req);
    if (isTimeoutError(cRes.statusCode)) return 'timeout';
    if (cRes.statusCode === 200) fatal = new Error(`Request ${req.method} ${req.url.href} should fail, returned HTTP Status OK (200) instead`);
    return undefined;
  });
  if (fatal) throw fatal;
}

/** IsTimeoutError: 408 or 504. */
export function isTimeoutError(code: number): boolean {
  return code === 408 || code === 504;
}
