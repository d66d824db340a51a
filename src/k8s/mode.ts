// Kubernetes mode's entry point for `sluice serve --kubernetes`: builds the Source (read side) and, once
// the pipeline's feed exists, the leader-elected status controller (write side).
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { SnapshotFeed } from '../snapshot/feed.ts';
import { SluiceError } from '../errors.ts';
import { KubeClient } from './client.ts';
import { KubernetesSource } from './source.ts';
import { StatusController, type ServiceRef } from './status-controller.ts';

export interface KubernetesModeOptions {
  /** kubeconfig file; in-cluster credentials when absent */
  readonly kubeconfig?: string;
  readonly ingressClass: string;
  readonly gatewayService: ServiceRef;
  readonly localGatewayService: ServiceRef;
  /** Lease holder identity; defaults to POD_NAME (Downward API), else hostname plus a random suffix */
  readonly id?: string;
  /** Lease duration (default 15 s); renewals every third of it */
  readonly leaseDurationMs?: number;
  readonly log?: (level: 'info' | 'warn', msg: string) => void;
}

export interface KubernetesMode {
  readonly source: KubernetesSource;
  readonly identity: string;
  /** starts leader election, probing and status writing on the pipeline's feed */
  startStatus(feed: SnapshotFeed): StatusController;
}

export function identityFromEnv(id: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (id) return id;
  if (env.POD_NAME) return env.POD_NAMESPACE ? `${env.POD_NAMESPACE}/${env.POD_NAME}` : env.POD_NAME;
  return `${hostname()}_${randomUUID().slice(0, 8)}`;
}

export function createKubernetesMode(o: KubernetesModeOptions): KubernetesMode {
  if (o.leaseDurationMs !== undefined && !(o.leaseDurationMs >= 1000)) {
    throw new SluiceError('SLUICE_ERR_BAD_FLAG', `--lease-duration: must be at least 1 second`);
  }
  const client = KubeClient.load(o.kubeconfig);
  const identity = identityFromEnv(o.id);
  let lastError = '';
  const source = new KubernetesSource(client, {
    ingressClass: o.ingressClass,
    onError: (err) => {
      // A restarting API server fails every watch at once: log each distinct problem once.
      const msg = (err as Error).message ?? String(err);
      if (msg !== lastError) o.log?.('warn', `kubernetes watch: ${msg} (retrying)`);
      lastError = msg;
    },
  });
  return {
    source,
    identity,
    startStatus(feed) {
      const controller = new StatusController({
        client,
        source,
        feed,
        gatewayService: o.gatewayService,
        localGatewayService: o.localGatewayService,
        identity,
        leaseDurationMs: o.leaseDurationMs,
        log: o.log,
      });
      controller.start();
      return controller;
    },
  };
}
