// The suite's HTTP client (util.go CreateIngressReadyWithTLS / CreateDialContext / RuntimeRequest):
// requests go to the ingress's public load balancer, found from its status' domainInternal, on
// the URL's port (80 -> the gateway's plain listener, 443 -> its TLS listener), with the URL's host
// as Host and SNI, a keep-alive HTTP/1.1 transport, and the suite's User-Agent.
import http from 'node:http';
import https from 'node:https';
import type { Cluster, Ingress, LoadBalancerStatus } from './cluster.ts';
import type { RuntimeInfo } from '../backends/runtime.ts';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Where a load balancer's ports lead: the port in a URL -> a gateway listener's host:port. */
export type Dialer = (urlPort: number) => string;

const REQUEST_BOUND_MS = 30_000;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * CreateDialContext: the load balancer's domainInternal names the gateway Service; in file mode
 * Sluice's `sluice` Service is its --http (80) and --https (443) listeners, `sluice-internal` its
 * --local listener.
 */
export function dialerFor(cluster: Cluster, lb: LoadBalancerStatus | undefined): Dialer {
  const domain = lb?.ingress?.[0]?.domainInternal;
  if (!domain) throw new Error('Ingress does not have a load balancer assigned.');
  const service = domain.split('.')[0];
  return (port) => {
    if (service === 'sluice-internal' && port === 80) return cluster.address('local');
    if (service === 'sluice' && port === 80) return cluster.address('http');
    if (service === 'sluice' && port === 443) return cluster.address('https');
    throw new Error(`service ${domain} doesn't contain a matching port: ${port}`);
  };
}

export class Client {
  readonly #h1 = new http.Agent({ keepAlive: true, maxSockets: 16 });
  readonly #tls: https.Agent;
  constructor(readonly dial: Dialer, readonly userAgent: string, ca?: string) {
    this.#tls = new https.Agent({ keepAlive: true, maxSockets: 16, ...(ca ? { ca } : {}) });
  }

  /** CreateIngressReady(WithTLS): a client for the ingress's public load balancer. */
  static forIngress(cluster: Cluster, ing: Ingress, testName: string, ca?: string): Client {
    return new Client(dialerFor(cluster, ing.status?.publicLoadBalancer), `knative.dev/${testName}/${ing.name}`, ca);
  }

  /**
   * GET `url`, following up to 10 redirects as Go's http.Client does, unless `followRedirects` is
   * false (the suite's CheckRedirect returning ErrUseLastResponse). `rawPath` replaces the path
   * as sent (URL parsing would resolve dot-segments).
   */
  async get(url: string, headers: Record<string, string> = {}, opts: { rawPath?: string; followRedirects?: boolean } = {}): Promise<Reply> {
    let r = await this.#once(url, headers, opts.rawPath);
    for (let hops = 0; opts.followRedirects !== false && REDIRECTS.has(r.status) && r.headers.location; hops++) {
      if (hops === 10) throw new Error(`GET ${url}: stopped after 10 redirects`);
      url = new URL(r.headers.location, url).href;
      r = await this.#once(url, headers);
    }
    return r;
  }

  #once(url: string, headers: Record<string, string>, rawPath?: string): Promise<Reply> {
    const u = new URL(url);
    const tls = u.protocol === 'https:';
    const addr = this.dial(u.port ? Number(u.port) : tls ? 443 : 80);
    const sep = addr.lastIndexOf(':');
    const opts: https.RequestOptions = {
      host: addr.slice(0, sep),
      port: Number(addr.slice(sep + 1)),
      path: rawPath ?? u.pathname + u.search,
      method: 'GET',
      // Go's transport sends Host (the URL's host), User-Agent and Accept-Encoding: gzip.
      headers: { host: u.host, 'user-agent': this.userAgent, 'accept-encoding': 'gzip', ...headers },
      agent: tls ? this.#tls : this.#h1,
      ...(tls ? { servername: u.hostname } : {}),
    };
    return new Promise<Reply>((resolve, reject) => {
      const req = (tls ? https : http).request(opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.setTimeout(REQUEST_BOUND_MS, () => req.destroy(new Error(`GET ${url}: no answer within ${REQUEST_BOUND_MS} ms`)));
      req.on('error', reject);
      req.end();
    });
  }

  close(): void {
    this.#h1.destroy();
    this.#tls.destroy();
  }
}

/** httputil.DumpResponse, for failure messages. */
export function dumpResponse(r: Reply): string {
  const head = Object.entries(r.headers).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`);
  return [`HTTP/1.1 ${r.status}`, ...head, '', r.body.slice(0, 2000)].join('\n');
}

/**
 * RuntimeRequestWithExpectations: GET `url`; the status must be one of `statuses`; a 200 is parsed
 * as the runtime image's JSON. Throws (t.Error in Go) with the response dumped when not met.
 */
export async function runtimeRequestWithExpectations(client: Client, url: string, statuses: number[], opts: { headers?: Record<string, string>; allowDialError?: boolean } = {}): Promise<RuntimeInfo | undefined> {
  let r: Reply;
  try {
    r = await client.get(url, opts.headers);
  } catch (err) {
    // allowDialError: a load balancer that refuses the connection is fine too.
    if (opts.allowDialError && isDialError(err)) return undefined;
    throw err;
  }
  if (!statuses.includes(r.status)) throw new Error(`GET ${url}: got unexpected status: ${r.status}, expected [${statuses.join(' ')}]\n${dumpResponse(r)}`);
  if (r.status !== 200) return undefined;
  try {
    return JSON.parse(r.body) as RuntimeInfo;
  } catch {
    throw new Error(`GET ${url}: unable to parse runtime image's response payload\n${dumpResponse(r)}`);
  }
}

/** IsDialError: the connection could not be made. */
function isDialError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH';
}

/** RuntimeRequest: the request must get 200 and the runtime image's JSON. */
export async function runtimeRequest(client: Client, url: string, headers: Record<string, string> = {}): Promise<RuntimeInfo> {
  return (await runtimeRequestWithExpectations(client, url, [200], { headers }))!;
}
