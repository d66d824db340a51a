// Envoy's rate limit service protocol: envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit,
// from Envoy's own .proto files (proto/, loaded once on first use), over one persistent channel
// per service address.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { Descriptor, RateLimitResponse } from './global-rate-limit-answer.ts';
import { PROTO_DIR } from './ext-authz-grpc.ts';

export const RLS_PROTO = 'envoy/service/ratelimit/v3/rls.proto';

type ShouldRateLimitCall = (req: object, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: RateLimitResponse) => void) => void;
type RateLimitClient = grpc.Client & { ShouldRateLimit: ShouldRateLimitCall };

let service: grpc.ServiceClientConstructor | undefined;

/** The RateLimitService's definition (a server in tests, the client here). */
export function rateLimitService(): grpc.ServiceClientConstructor {
  if (service === undefined) {
    const def = protoLoader.loadSync(RLS_PROTO, { includeDirs: [PROTO_DIR], keepCase: false, longs: String, enums: Number, defaults: true, oneofs: true });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { envoy: { service: { ratelimit: { v3: { RateLimitService: grpc.ServiceClientConstructor } } } } };
    service = pkg.envoy.service.ratelimit.v3.RateLimitService;
  }
  return service;
}

// One channel per service address, shared by every route naming it; addresses come from the
// configuration, so the map is as bounded as the configuration is.
const clients = new Map<string, RateLimitClient>();

function clientFor(address: string): RateLimitClient {
  let c = clients.get(address);
  if (c === undefined) {
    const Ctor = rateLimitService();
    c = new Ctor(address, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 1024 * 1024 }) as unknown as RateLimitClient;
    clients.set(address, c);
  }
  return c;
}

/** Asks `address` about `descriptors` (one hit); rejects when it cannot be asked in `timeoutMs`. */
export function shouldRateLimit(address: string, domain: string, descriptors: readonly Descriptor[], timeoutMs: number): Promise<RateLimitResponse> {
  const client = clientFor(address);
  const request = { domain, descriptors: descriptors.map((entries) => ({ entries })), hitsAddend: 1 };
  return new Promise((resolve, reject) => {
    client.ShouldRateLimit(request, { deadline: Date.now() + timeoutMs }, (err, res) => {
      if (err !== null || res === undefined) return reject(err ?? new Error('ratelimit: empty answer'));
      resolve(res);
    });
  });
}
