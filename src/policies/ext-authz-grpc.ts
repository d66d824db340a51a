// Envoy's ext_authz gRPC protocol: envoy.service.auth.v3.Authorization/Check, from Envoy's own
// .proto files (proto/, loaded once on first use). An OK status allows, adding ok_response's
// headers upstream; any other status denies with denied_response's HTTP status (403 when unset),
// headers and body.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { HeaderPair } from '../snapshot/types.ts';
import type { AuthzAnswer, AuthzCheck, AuthzClient } from './ext-authz-types.ts';
import { safeHeaders } from './ext-authz-types.ts';

export const PROTO_DIR = fileURLToPath(new URL('../../proto/', import.meta.url));
export const EXTERNAL_AUTH_PROTO = 'envoy/service/auth/v3/external_auth.proto';

// Field names as the loader gives them (camelCase, enums as numbers).
interface HeaderValueOption {
  header?: { key?: string; value?: string };
}
export interface CheckResponse {
  status?: { code?: number; message?: string };
  okResponse?: { headers?: HeaderValueOption[] };
  deniedResponse?: { status?: { code?: number }; headers?: HeaderValueOption[]; body?: string };
}

type CheckCall = (req: object, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: CheckResponse) => void) => void;
type AuthorizationClient = grpc.Client & { Check: CheckCall };

let authorization: grpc.ServiceClientConstructor | undefined;

/** The Authorization service's definition (a server in tests, the client here). */
export function authorizationService(): grpc.ServiceClientConstructor {
  if (authorization === undefined) {
    const def = protoLoader.loadSync(EXTERNAL_AUTH_PROTO, { includeDirs: [PROTO_DIR], keepCase: false, longs: String, enums: Number, defaults: true, oneofs: true });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { envoy: { service: { auth: { v3: { Authorization: grpc.ServiceClientConstructor } } } } };
    authorization = pkg.envoy.service.auth.v3.Authorization;
  }
  return authorization;
}

// One channel per auth server address, shared by every route naming it; addresses come from the
// configuration, so the map is as bounded as the configuration is.
const clients = new Map<string, AuthorizationClient>();

function clientFor(address: string): AuthorizationClient {
  let c = clients.get(address);
  if (c === undefined) {
    const Ctor = authorizationService();
    c = new Ctor(address, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 1024 * 1024 }) as unknown as AuthorizationClient;
    clients.set(address, c);
  }
  return c;
}

const pairsOf = (opts: HeaderValueOption[] | undefined): Array<[string, string]> => (opts ?? []).map((o) => [o.header?.key ?? '', o.header?.value ?? '']);

export class GrpcAuthzClient implements AuthzClient {
  constructor(readonly address: string) {}

  check(c: AuthzCheck, timeoutMs: number): Promise<AuthzAnswer> {
    const client = clientFor(this.address);
    return new Promise((resolve, reject) => {
      client.Check(checkRequest(c), { deadline: Date.now() + timeoutMs }, (err, res) => {
        if (err !== null || res === undefined) return reject(err ?? new Error('ext_authz: empty answer'));
        resolve(answerOf(res));
      });
    });
  }
}

export function checkRequest(c: AuthzCheck): object {
  const headers: Record<string, string> = {};
  for (const [n, v] of c.headers) headers[n] = headers[n] === undefined ? v : `${headers[n]},${v}`;
  const q = c.path.indexOf('?');
  return {
    attributes: {
      source: { address: { socketAddress: { address: c.clientAddress ?? '', portValue: 0 } } },
      request: {
        http: { method: c.method, path: c.path, host: c.host, scheme: c.scheme, headers, ...(q >= 0 && { query: c.path.slice(q + 1) }), protocol: 'HTTP/1.1', ...bodyOf(c) },
      },
      ...(c.contextExtensions !== undefined && { contextExtensions: c.contextExtensions }),
    },
  };
}

// As Envoy: `body` as UTF-8 text, or `raw_body` bytes with pack_as_bytes; `size` the bytes sent.
function bodyOf(c: AuthzCheck): object {
  if (c.body === undefined) return {};
  return c.packAsBytes === true ? { rawBody: c.body, size: String(c.body.length) } : { body: c.body.toString('utf8'), size: String(c.body.length) };
}

export function answerOf(res: CheckResponse): AuthzAnswer {
  if ((res.status?.code ?? 0) === 0) return { allow: true, upstreamHeaders: safeHeaders(pairsOf(res.okResponse?.headers)) };
  const code = res.deniedResponse?.status?.code ?? 0;
  const headers: HeaderPair[] = safeHeaders(pairsOf(res.deniedResponse?.headers));
  return { allow: false, status: code >= 200 && code < 600 ? code : 403, headers, body: res.deniedResponse?.body ?? '' };
}
