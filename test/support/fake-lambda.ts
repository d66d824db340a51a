// A Lambda-compatible Invoke endpoint for tests: a real node:http server on 127.0.0.1:0 that
// checks every request's SigV4 signature the way AWS does, by signing the same request again with
// @smithy/signature-v4 (the AWS SDK's own signer) from the credentials it was given, and answers
// with Lambda's own statuses, headers and error shapes.
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { FunctionContext, FunctionRequest, FunctionResponse, LambdaCall } from '../../src/functions/types.ts';

export interface FakeCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface InvokeContext {
  readonly functionName: string;
  readonly qualifier: string;
  readonly invocationType: 'RequestResponse' | 'Event';
}

/** A JS function run by the fake: gets the parsed payload, returns what the function returns. */
export type FakeFunction = (event: unknown, ctx: InvokeContext) => unknown;

/** Returned by a function, sent as the Invoke payload byte for byte (a runtime answering non-JSON). */
export class RawPayload {
  constructor(readonly bytes: Buffer) {}
}

/** Thrown by a function: a `Handled` function error rather than `Unhandled`. */
export class HandledError extends Error {}

export interface Invocation extends InvokeContext {
  readonly event: unknown;
  readonly headers: http.IncomingHttpHeaders;
}

export interface FakeLambdaOptions {
  readonly region?: string;
  readonly credentials?: FakeCredentials;
  /** the fake's clock, to put a request's date out of AWS's 5-minute window */
  readonly now?: () => Date;
}

export interface FakeLambda {
  /** `http://127.0.0.1:port`, what a LambdaCall's `endpoint` names */
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: FakeCredentials;
  /** every invocation that reached a function, in order */
  readonly invocations: Invocation[];
  /** registers `name` (or `name` at `qualifier`, a version or alias) */
  register(name: string, fn: FakeFunction, opts?: { qualifier?: string; throttled?: boolean }): void;
  /** resolves when `n` invocations have reached functions (async ones run after the 202) */
  waitForInvocations(n: number, boundMs?: number): Promise<Invocation[]>;
  close(): Promise<void>;
}

const ACCOUNT = '123456789012';
const MAX_PAYLOAD = 6 * 1024 * 1024;
const SKEW_MS = 5 * 60 * 1000;
const AUTH_RE = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
const INVOKE_RE = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

class LambdaError {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly message: string,
    readonly extra: Record<string, string> = {},
    readonly headers: Record<string, string> = {},
  ) {}
}

export const TEST_CREDENTIALS: FakeCredentials = { accessKeyId: 'AKIDSLUICETEST', secretAccessKey: 'sluice/test/secret/key' };

export async function startFakeLambda(opts: FakeLambdaOptions = {}): Promise<FakeLambda> {
  const region = opts.region ?? 'us-east-1';
  const credentials = opts.credentials ?? TEST_CREDENTIALS;
  const now = opts.now ?? (() => new Date());
  const functions = new Map<string, { fn: FakeFunction; throttled: boolean }>();
  const invocations: Invocation[] = [];
  const waiters: (() => void)[] = [];

  const run = async (key: string, name: string, qualifier: string, type: InvokeContext['invocationType'], event: unknown, headers: http.IncomingHttpHeaders) => {
    const ctx: InvokeContext = { functionName: name, qualifier, invocationType: type };
    invocations.push({ ...ctx, event, headers });
    for (const w of waiters.splice(0)) w();
    return functions.get(key)!.fn(event, ctx);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (d: Buffer) => {
      size += d.length;
      if (size <= MAX_PAYLOAD + 1) chunks.push(d);
    });
    req.on('end', () => {
      handle(req, Buffer.concat(chunks), size)
        .then((answer) => send(res, answer.status, answer.headers, answer.body))
        .catch((err: unknown) => {
          const e = err instanceof LambdaError ? err : new LambdaError(500, 'ServiceException', String(err));
          const body = JSON.stringify({ Type: e.status < 500 ? 'User' : 'Service', message: e.message, ...e.extra });
          send(res, e.status, { 'x-amzn-errortype': `${e.type}:http://internal.amazon.com/coral/com.amazonaws.awslambda/`, ...e.headers }, Buffer.from(body));
        });
    });
  });

  async function handle(req: http.IncomingMessage, body: Buffer, size: number) {
    const url = new URL(req.url ?? '/', 'http://fake');
    const m = req.method === 'POST' ? INVOKE_RE.exec(url.pathname) : null;
    if (!m) throw new LambdaError(404, 'UnknownOperationException', 'Unknown operation');
    // Lambda's front end refuses an oversized body before it looks at the signature.
    if (size > MAX_PAYLOAD) throw new LambdaError(413, 'RequestTooLargeException', `Request must be smaller than ${MAX_PAYLOAD} bytes for the InvokeFunction operation`);
    await verify(req, url, body);
    const { name, qualifier } = parseFunction(decodeURIComponent(m[1]!), url.searchParams.get('Qualifier'));
    const arn = `arn:aws:lambda:${region}:${ACCOUNT}:function:${name}${qualifier ? `:${qualifier}` : ''}`;
    const key = qualifier ? `${name}:${qualifier}` : name;
    const entry = functions.get(key);
    if (!entry) throw new LambdaError(404, 'ResourceNotFoundException', `Function not found: ${arn}`);
    if (entry.throttled) throw new LambdaError(429, 'TooManyRequestsException', 'Rate Exceeded.', { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' }, { 'retry-after': '1' });
    const type = req.headers['x-amz-invocation-type'] ?? 'RequestResponse';
    if (type !== 'RequestResponse' && type !== 'Event') throw new LambdaError(400, 'InvalidParameterValueException', `Unsupported invocation type ${String(type)}`);
    let event: unknown = {};
    if (body.length > 0) {
      try {
        event = JSON.parse(body.toString('utf8'));
      } catch (err) {
        throw new LambdaError(400, 'InvalidRequestContentException', `Could not parse request body into json: ${(err as Error).message}`);
      }
    }
    const version = { 'x-amz-executed-version': qualifier && /^\d+$/.test(qualifier) ? qualifier : '$LATEST' };
    if (type === 'Event') {
      // Lambda queues the event and answers at once; the function runs afterwards.
      setImmediate(() => void Promise.resolve(run(key, name, qualifier, type, event, req.headers)).catch(() => {}));
      return { status: 202, headers: {}, body: Buffer.alloc(0) };
    }
    try {
      const result = await run(key, name, qualifier, type, event, req.headers);
      const payload = result instanceof RawPayload ? result.bytes : Buffer.from(JSON.stringify(result ?? null));
      return { status: 200, headers: { 'content-type': 'application/json', ...version }, body: payload };
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      const payload = JSON.stringify({ errorType: e.name, errorMessage: e.message, trace: (e.stack ?? '').split('\n') });
      const kind = err instanceof HandledError ? 'Handled' : 'Unhandled';
      return { status: 200, headers: { 'content-type': 'application/json', 'x-amz-function-error': kind, ...version }, body: Buffer.from(payload) };
    }
  }

  /** AWS's checks, in AWS's order: a token, a known key, the date window, then the signature. */
  async function verify(req: http.IncomingMessage, url: URL, body: Buffer): Promise<void> {
    const auth = req.headers.authorization;
    if (!auth) throw new LambdaError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    const a = AUTH_RE.exec(auth);
    if (!a) throw new LambdaError(400, 'IncompleteSignatureException', `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters. Authorization=${auth.split(' ')[0]}`);
    const [, keyId, scopeDate, scopeRegion, scopeService, signedList, signature] = a as unknown as string[];
    const token = req.headers['x-amz-security-token'];
    if (keyId !== credentials.accessKeyId || token !== credentials.sessionToken) {
      throw new LambdaError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    }
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    const date = parseAmzDate(amzDate);
    if (!date) throw new LambdaError(400, 'IncompleteSignatureException', 'Authorization header requires existence of either a \'X-Amz-Date\' or a \'Date\' header.');
    const t = now().getTime();
    if (date.getTime() < t - SKEW_MS) {
      throw new LambdaError(403, 'InvalidSignatureException', `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(new Date(t - SKEW_MS))} (${formatAmzDate(new Date(t))} - 5 min.)`);
    }
    if (date.getTime() > t + SKEW_MS) {
      throw new LambdaError(403, 'InvalidSignatureException', `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(new Date(t + SKEW_MS))} (${formatAmzDate(new Date(t))} + 5 min.)`);
    }
    if (scopeDate !== amzDate.slice(0, 8) || scopeRegion !== region || scopeService !== 'lambda') {
      throw new LambdaError(403, 'InvalidSignatureException', `Credential should be scoped to a valid region, not '${scopeRegion}'. `);
    }
    const signed = signedList!.split(';');
    if (!signed.includes('host') || (credentials.sessionToken && !signed.includes('x-amz-security-token'))) {
      throw new LambdaError(403, 'InvalidSignatureException', "'Host' or 'x-amz-security-token' must be a 'SignedHeader' in the AWS Authorization.");
    }
    const headers: Record<string, string> = {};
    for (const name of signed) {
      const v = req.headers[name];
      if (v !== undefined) headers[name] = Array.isArray(v) ? v.join(',') : v;
    }
    // The body the fake received is what is hashed: a changed body cannot hide behind its header.
    const bodyHash = createHash('sha256').update(body).digest('hex');
    if (headers['x-amz-content-sha256'] !== undefined) headers['x-amz-content-sha256'] = bodyHash;
    const query: Record<string, string | string[]> = {};
    for (const k of new Set(url.searchParams.keys())) {
      const all = url.searchParams.getAll(k);
      query[k] = all.length === 1 ? all[0]! : all;
    }
    const signer = new SignatureV4({ service: 'lambda', region, credentials, sha256: Hash.bind(null, 'sha256'), applyChecksum: false });
    const again = await signer.sign(
      { method: req.method!, protocol: 'http:', hostname: headers.host ?? '', path: url.pathname, query, headers, body },
      { signingDate: date, signableHeaders: new Set(signed) },
    );
    const expected = /Signature=([0-9a-f]{64})$/.exec(String(again.headers.authorization))?.[1] ?? '';
    const expectedList = /SignedHeaders=([^,]+),/.exec(String(again.headers.authorization))?.[1];
    if (expectedList !== signedList || !timingSafeEqual(Buffer.from(expected), Buffer.from(signature!))) {
      throw new LambdaError(403, 'InvalidSignatureException', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.');
    }
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    region,
    credentials,
    invocations,
    register(name, fn, o = {}) {
      functions.set(o.qualifier ? `${name}:${o.qualifier}` : name, { fn, throttled: o.throttled ?? false });
    },
    async waitForInvocations(n, boundMs = 5000) {
      const deadline = Date.now() + boundMs;
      while (invocations.length < n) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`fake lambda: ${invocations.length} of ${n} invocations after ${boundMs} ms`);
        await new Promise<void>((r) => {
          const t = setTimeout(r, left);
          waiters.push(() => {
            clearTimeout(t);
            r();
          });
        });
      }
      return invocations.slice(0, n);
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** `name`, `name:qualifier`, `account:function:name[:qualifier]` or a full ARN, as Lambda accepts. */
function parseFunction(raw: string, qualifier: string | null): { name: string; qualifier: string } {
  const parts = raw.split(':');
  const at = parts.indexOf('function');
  const rest = at >= 0 ? parts.slice(at + 1) : parts;
  const name = rest[0] ?? '';
  const inName = rest[1];
  if (inName && qualifier && inName !== qualifier) {
    throw new LambdaError(400, 'InvalidParameterValueException', 'The derived qualifier from the function name does not match the specified qualifier.');
  }
  const q = qualifier ?? inName ?? '';
  // $LATEST is the unpublished code, what an unqualified call runs
  return { name, qualifier: q === '$LATEST' ? '' : q };
}

function parseAmzDate(s: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se] = m.map(Number) as number[];
  return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, se!));
}

function formatAmzDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function send(res: http.ServerResponse, status: number, headers: Record<string, string>, body: Buffer): void {
  res.writeHead(status, { 'x-amzn-requestid': `req-${Math.random().toString(16).slice(2)}`, ...headers, 'content-length': body.length });
  res.end(body);
}

/** A LambdaCall aimed at the fake, with its region and credentials. */
export function callFor(fake: FakeLambda, functionName: string, overrides: Partial<LambdaCall> = {}): LambdaCall {
  return {
    type: 'aws-lambda',
    functionName,
    region: fake.region,
    endpoint: fake.endpoint,
    credentials: fake.credentials,
    invocation: 'sync',
    unwrapAsApiGateway: false,
    wrapAsApiGateway: false,
    ...overrides,
  };
}

/** A client request as the function host hands it over. */
export function requestOf(method: string, path: string, body: string | Buffer = '', headers: FunctionRequest['headers'] = {}): FunctionRequest {
  return { method, path, headers, body: Buffer.isBuffer(body) ? body : Buffer.from(body) };
}

/** A context whose signal the test controls; Lambda calls never pick an endpoint. */
export function contextOf(signal: AbortSignal = new AbortController().signal): FunctionContext {
  return { pick: () => undefined, signal };
}

export async function bodyOf(res: FunctionResponse): Promise<Buffer> {
  if (Buffer.isBuffer(res.body)) return res.body;
  const chunks: Buffer[] = [];
  for await (const c of res.body) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}
