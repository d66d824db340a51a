// What the status controller tests set up alike: a fake API server holding `app/NAME` ingresses and one
// ready replica behind each of the gateway's Services, then a client, a started source and a controller
// over it. Each test passes only what it varies (rate limit, concurrency, probe).
import { FakeApiServer } from './fake-apiserver.ts';
import { KubeClient } from '../../src/k8s/client.ts';
import { KubernetesSource } from '../../src/k8s/source.ts';
import { StatusController, type StatusControllerOptions } from '../../src/k8s/status-controller.ts';
import { DEFAULT_INGRESS_CLASS } from '../../src/api/types.ts';
import { ingress } from '../k8s/helpers.ts';
import { putGatewayReplicas } from '../k8s/status-helpers.ts';

/** A fake API server with an ingress `app/NAME` (host `NAME.example`, backend NAME) for each name, and the gateway's replicas. */
export async function startStatusApi(names: readonly string[]): Promise<FakeApiServer> {
  const api = await FakeApiServer.start();
  for (const n of names) api.put(ingress('app', n, DEFAULT_INGRESS_CLASS, `${n}.example`, n));
  putGatewayReplicas(api);
  return api;
}

export interface StatusRigOptions extends Omit<StatusControllerOptions, 'client' | 'source' | 'gatewayService' | 'localGatewayService' | 'identity'> {
  /** the client's rate limit (default 5000 a second, burst 5000) */
  readonly qps?: number;
  readonly burst?: number;
  readonly identity?: string;
}

export interface StatusRig {
  readonly client: KubeClient;
  readonly source: KubernetesSource;
  readonly controller: StatusController;
}

/** A client, a started source and a controller (not started) for the gateway `sluice-system/sluice` and `sluice-internal`. */
export async function startStatusController(api: FakeApiServer, o: StatusRigOptions): Promise<StatusRig> {
  const { qps = 5000, burst = 5000, identity = 'one', ...controllerOptions } = o;
  const client = KubeClient.load(api.kubeconfigPath, { qps, burst });
  const source = new KubernetesSource(client, { ingressClass: DEFAULT_INGRESS_CLASS });
  await source.start(() => {});
  const controller = new StatusController({
    ...controllerOptions,
    client,
    source,
    identity,
    gatewayService: { namespace: 'sluice-system', name: 'sluice' },
    localGatewayService: { namespace: 'sluice-system', name: 'sluice-internal' },
  });
  return { client, source, controller };
}
