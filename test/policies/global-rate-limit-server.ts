// A fake rate limit service speaking Envoy's protocol (envoy.service.ratelimit.v3, from proto/):
// it counts hits per domain and descriptor and answers OVER_LIMIT past `limit` per minute, as
// envoyproxy/ratelimit does for a fixed window. A descriptor with an entry valued `fail` gets a gRPC
// UNAVAILABLE, one valued `unknown` an answer with no overall code, one valued `slow` no answer
// until the server closes.
import * as grpc from '@grpc/grpc-js';
import { rateLimitService } from '../../src/policies/global-rate-limit-grpc.ts';

interface Entry {
  key: string;
  value: string;
}
interface ShouldRateLimitCall {
  request: { domain: string; descriptors: Array<{ entries: Entry[] }>; hitsAddend: number };
}

export interface RateLimitServer {
  readonly address: string;
  /** every request, in order */
  readonly seen: Array<{ domain: string; descriptors: Entry[][] }>;
  /** hits so far by `domain|key=value,...` */
  readonly hits: Map<string, number>;
  close(): Promise<void>;
}

const MINUTE = 2;

export async function startRateLimitServer(limit: number): Promise<RateLimitServer> {
  const seen: RateLimitServer['seen'] = [];
  const hits = new Map<string, number>();
  const held: Array<() => void> = [];
  const server = new grpc.Server();
  server.addService(rateLimitService().service, {
    ShouldRateLimit(call: ShouldRateLimitCall, cb: (err: Partial<grpc.ServiceError> | null, res?: object) => void) {
      const { domain, descriptors } = call.request;
      seen.push({ domain, descriptors: descriptors.map((d) => d.entries.map((e) => ({ key: e.key, value: e.value }))) });
      const values = descriptors.flatMap((d) => d.entries.map((e) => e.value));
      if (values.includes('fail')) return cb({ code: grpc.status.UNAVAILABLE, details: 'told to fail' });
      if (values.includes('unknown')) return cb(null, {});
      if (values.includes('slow')) return held.push(() => cb(null, {}));
      const statuses = descriptors.map((d) => {
        const key = `${domain}|${d.entries.map((e) => `${e.key}=${e.value}`).join(',')}`;
        const n = (hits.get(key) ?? 0) + (call.request.hitsAddend || 1);
        hits.set(key, n);
        const over = n > limit;
        return {
          code: over ? 2 : 1,
          currentLimit: { requestsPerUnit: limit, unit: MINUTE },
          limitRemaining: Math.max(0, limit - n),
          durationUntilReset: { seconds: 42, nanos: 500_000_000 },
        };
      });
      const over = statuses.some((s) => s.code === 2);
      cb(null, {
        overallCode: over ? 2 : 1,
        statuses,
        responseHeadersToAdd: over ? [{ key: 'x-limited-by', value: 'fake-rls' }, { key: 'content-length', value: '1' }] : [],
        requestHeadersToAdd: over ? [] : [{ key: 'x-ratelimit-checked', value: 'yes' }],
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  return {
    address: `127.0.0.1:${port}`,
    seen,
    hits,
    close: () => {
      for (const h of held) h();
      return new Promise((r) => server.tryShutdown(() => r()));
    },
  };
}
