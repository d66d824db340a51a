// Kubernetes mode's entry point for `sluice serve --kubernetes`. It is the pipeline's Source (the read
// side: list+watch), and once the pipeline's feed exists, `startStatus(feed)` adds the write side
// (Lease leader election, readiness probing, status writing). Serve needs one branch for each.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { SnapshotFeed } from '../snapshot/feed.ts';
import type { Source, SourceState } from '../sources/types.ts';
import type { ObjectStatus } from '../snapshot/types.ts';
import { SluiceError } from '../errors.ts';
import { KubeClient } from './client.ts';
import type { RateLimit } from './rate-limiter.ts';
import { KubernetesSource } from './source.ts';
import { StatusController, type ServiceRef } from './status-controller.ts';

export interface KubernetesModeOptions {
  /** kubeconfig file; when absent, $KUBECONFIG, ~/.kube/config, then in-cluster credentials (kubeconfig.ts) */
  readonly kubeconfig?: string;
  readonly ingressClass: string;
  readonly gatewayService: ServiceRef;
  readonly localGatewayService: ServiceRef;
  /** the Service in front of the Gateway API listeners, watched so Gateways can report its addresses */
  readonly gatewayApiService?: ServiceRef;
  /** Lease holder identity; defaults to POD_NAMESPACE/POD_NAME (Downward API), else hostname plus a random suffix */
  readonly id?: string;
  /** Lease duration (default 15 s); renewals every third of it */
  readonly leaseDurationMs?: number;
  /** the API client's rate limit (default DEFAULT_RATE_LIMIT); the Lease is never held back by it */
  readonly rateLimit?: RateLimit;
  readonly log?: (level: 'info' | 'warn', msg: string) => void;
}

export function identityFromEnv(id: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (id) return id;
  if (env.POD_NAME) return env.POD_NAMESPACE ? `${env.POD_NAMESPACE}/${env.POD_NAME}` : env.POD_NAME;
  return `${hostname()}_${randomUUID().slice(0, 8)}`;
}

export class KubernetesMode implements Source {
  readonly source: KubernetesSource;
  readonly identity: string;
  readonly #client: KubeClient;
  readonly #o: KubernetesModeOptions;
  #status: StatusController | undefined;

  constructor(o: KubernetesModeOptions) {
    if (o.leaseDurationMs !== undefined && !(o.leaseDurationMs >= 1000)) {
      throw new SluiceError('SLUICE_ERR_BAD_FLAG', '--lease-duration: must be at least 1 second');
    }
    this.#o = o;
    this.#client = KubeClient.load(o.kubeconfig, o.rateLimit);
    this.identity = identityFromEnv(o.id);
    let lastError = '';
    this.source = new KubernetesSource(this.#client, {
      ingressClass: o.ingressClass,
      // config-sluice lives beside the gateway Service, as the file-mode translator reads it (--gateway-service's namespace).
      configNamespace: o.gatewayService.namespace,
      ...(o.gatewayApiService ? { gatewayApiService: `${o.gatewayApiService.namespace}/${o.gatewayApiService.name}` } : {}),
      onMissing: (info) => o.log?.('info', `${info.group} ${info.kind} is not served (its CRD is not installed): watching for it to appear`),
      onError: (err) => {
        // A restarting API server fails every watch at once: log each distinct problem once.
        const msg = err instanceof Error ? err.message : String(err);
        if (msg !== lastError) o.log?.('warn', `kubernetes watch: ${msg} (retrying)`);
        lastError = msg;
      },
    });
  }

  start(push: (state: SourceState) => void): Promise<void> {
    return this.source.start(push);
  }

  /** Starts leader election, probing and status writing on the pipeline's feed (and Gateway API statuses). */
  startStatus(feed: SnapshotFeed, objectStatuses?: () => readonly ObjectStatus[]): StatusController {
    this.#status ??= new StatusController({
      client: this.#client,
      source: this.source,
      feed,
      objectStatuses,
      gatewayService: this.#o.gatewayService,
      localGatewayService: this.#o.localGatewayService,
      identity: this.identity,
      leaseDurationMs: this.#o.leaseDurationMs,
      log: this.#o.log,
    });
    this.#status.start();
    return this.#status;
  }

  /** Stops writing first (a leader releases its Lease so another replica takes over at once), then watching. */
  async stop(): Promise<void> {
    await this.#status?.stop();
    await this.source.stop();
  }
}
