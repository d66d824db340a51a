// The conformance suite's cluster, in file mode: one `sluice serve --config DIR` per test file.
// Where the Go suite creates a Service and a Pod running a test image (util.go
// createPodAndService), this starts the image's TypeScript twin on 127.0.0.1:0 and writes the
// Service and its EndpointSlice; where it creates or updates an Ingress, it writes the Ingress
// (defaulted as the API server stores it); where it waits for Ready, it polls the admin /status.
import { ConfigDir } from '../../../support/config.ts';
import { type SluiceProcess, startSluice } from '../../../support/sluice.ts';
import type { Backend } from '../backends/server.ts';
import { IngressClass, IngressClassAnnotationKey, ServingNamespace, objectNameForTest } from './names.ts';
import { type IngressSpec, computeHash, withDefaults } from './spec.ts';
import { makeConformanceCert } from './tls.ts';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export interface LoadBalancerStatus {
  ingress?: Array<{ domainInternal?: string; ip?: string }>;
}

/** One entry of the admin /status: the file-mode stand-in for an Ingress's status. */
export interface IngressStatus {
  namespace: string;
  name: string;
  hash: string;
  conditions: Condition[];
  publicLoadBalancer: LoadBalancerStatus;
  privateLoadBalancer: LoadBalancerStatus;
}

/** A document the gateway rejected, from /status. */
export interface Rejection {
  kind: string;
  namespace?: string;
  name?: string;
  file: string;
  errors: unknown;
}

export interface Ingress {
  name: string;
  namespace: string;
  /** the spec as stored: defaulted */
  spec: IngressSpec;
  status?: IngressStatus;
}

export interface Service {
  name: string;
  /** the Service port (50-99, as the suite picks) */
  port: number;
  /** writes the EndpointSlice of a Service created with `endpointsLater` */
  addEndpoints(): Promise<void>;
  /** deletes the Service and its endpoints, and stops the backend (the suite's cancel func) */
  cancel(): Promise<void>;
}

const READY_BOUND_MS = 15_000;

export class Cluster {
  readonly #backends = new Set<Backend>();
  private constructor(readonly cfg: ConfigDir, readonly sluice: SluiceProcess) {}

  static async start(): Promise<Cluster> {
    const cfg = await ConfigDir.create();
    try {
      const sluice = await startSluice(
        ['serve', '--config', cfg.dir, '--require-ingress-class', '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0'],
        ['http', 'https', 'local', 'admin'],
        // info, not the harness's debug: thousands of requests need no log line each.
        { env: { SLUICE_LOG_LEVEL: 'info' } },
      );
      return new Cluster(cfg, sluice);
    } catch (err) {
      await cfg.cleanup();
      throw err;
    }
  }

  /** listener name (http, https, local, admin) -> host:port */
  address(listener: 'http' | 'https' | 'local' | 'admin'): string {
    const a = this.sluice.addresses[listener];
    if (!a) throw new Error(`sluice has no ${listener} listener`);
    return a;
  }

  /**
   * A ClusterIP Service over `backend` (createPodAndService): port named `portName` (none when
   * empty), optional appProtocol; its EndpointSlice holds the backend, ready. With
   * `endpointsLater`, the EndpointSlice is written only by `addEndpoints()`.
   */
  async createService(testName: string, backend: Backend, portName: string, appProtocol?: string, opts: { endpointsLater?: boolean } = {}): Promise<Service> {
    this.#backends.add(backend);
    const name = objectNameForTest(testName);
    const port = 50 + Math.floor(Math.random() * 50);
    const named = portName ? { name: portName } : {};
    const app = appProtocol ? { appProtocol } : {};
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ServingNamespace, labels: { 'test-pod': name } }, spec: { type: 'ClusterIP', ports: [{ ...named, port, targetPort: backend.port, ...app }], selector: { 'test-pod': name } } };
    const slice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${name}-1`, namespace: ServingNamespace, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
      ports: [{ ...named, port: backend.port, protocol: 'TCP', ...app }],
    };
    const file = `svc-${name}.yaml`;
    await this.cfg.write(file, opts.endpointsLater ? [service] : [service, slice]);
    return {
      name,
      port,
      addEndpoints: () => this.cfg.write(file, [service, slice]),
      cancel: async () => {
        await this.cfg.remove(file);
        this.#backends.delete(backend);
        await backend.close();
      },
    };
  }

  /** An ExternalName Service (createExternalNameService), its one port named h2c. */
  async createExternalNameService(name: string, namespace: string, externalName: string, port: number): Promise<void> {
    await this.cfg.write(`svc-${name}.yaml`, [
      { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { type: 'ExternalName', externalName, sessionAffinity: 'None', ports: [{ name: 'h2c', port, targetPort: port }] } },
    ]);
  }

  /**
   * CreateTLSSecret: a certificate for `hosts` in a kubernetes.io/tls Secret; returns the Secret's
   * name and the certificate, which the client trusts (the suite's RootCAs).
   */
  async createTLSSecret(testName: string, hosts: string[]): Promise<{ secretName: string; ca: string }> {
    const pair = makeConformanceCert(hosts);
    const secretName = objectNameForTest(testName);
    await this.#writeSecret(secretName, pair.cert, pair.key);
    return { secretName, ca: pair.cert };
  }

  async #writeSecret(name: string, cert: string, key: string): Promise<void> {
    await this.cfg.write(`secret-${name}.yaml`, [
      {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'kubernetes.io/tls',
        metadata: { name, namespace: ServingNamespace, labels: { 'test-secret': name, 'networking.internal.knative.dev/certificate-uid': 'test-uid' } },
        stringData: { 'tls.crt': cert, 'tls.key': key },
      },
    ]);
  }

  /**
   * CreateIngress: defaulted, annotated with the class under test unless `annotations` replaces
   * them (OverrideIngressAnnotation; null: no annotations at all).
   */
  async createIngress(testName: string, spec: IngressSpec, annotations?: Record<string, string> | null): Promise<Ingress> {
    const name = objectNameForTest(testName);
    const ing: Ingress = { name, namespace: ServingNamespace, spec: withDefaults(spec) };
    await this.#writeIngress(ing, annotations === undefined ? { [IngressClassAnnotationKey]: IngressClass } : annotations);
    return ing;
  }

  async createIngressReady(testName: string, spec: IngressSpec): Promise<Ingress> {
    const ing = await this.createIngress(testName, spec);
    ing.status = await this.waitForIngressReady(ing);
    return ing;
  }

  /** UpdateIngress: a new spec for the same ingress. */
  async updateIngress(ing: Ingress, spec: IngressSpec): Promise<void> {
    ing.spec = withDefaults(spec);
    await this.#writeIngress(ing, { [IngressClassAnnotationKey]: IngressClass });
  }

  /** UpdateIngressReady: UpdateIngress, then wait for it to be Ready. */
  async updateIngressReady(ing: Ingress, spec: IngressSpec): Promise<void> {
    await this.updateIngress(ing, spec);
    ing.status = await this.waitForIngressReady(ing);
  }

  async deleteIngress(ing: Ingress): Promise<void> {
    await this.cfg.remove(`ing-${ing.name}.yaml`);
  }

  async #writeIngress(ing: Ingress, annotations: Record<string, string> | null): Promise<void> {
    const metadata = { name: ing.name, namespace: ing.namespace, ...(annotations ? { annotations } : {}) };
    await this.cfg.write(`ing-${ing.name}.yaml`, [{ apiVersion: 'networking.internal.knative.dev/v1alpha1', kind: 'Ingress', metadata, spec: ing.spec }]);
  }

  /** The admin /status: every ingress's status and the documents rejected by validation. */
  async status(): Promise<{ ingresses: IngressStatus[]; rejected: Rejection[] }> {
    const res = await fetch(`http://${this.address('admin')}/status`, { signal: AbortSignal.timeout(5000) });
    return (await res.json()) as { ingresses: IngressStatus[]; rejected: Rejection[] };
  }

  async statuses(): Promise<IngressStatus[]> {
    return (await this.status()).ingresses;
  }

  /**
   * IsIngressReady: Ready is True for the spec just written. File mode has no generation, so the
   * hash of that spec (ComputeHash) stands for observedGeneration == generation.
   */
  async waitForIngressReady(ing: Ingress, boundMs = READY_BOUND_MS): Promise<IngressStatus> {
    const want = computeHash(ing.spec, ing.namespace, ing.name);
    const until = Date.now() + boundMs;
    let last: IngressStatus | undefined;
    for (;;) {
      const status = await this.status();
      // A spec the gateway rejects will not become Ready: say so now rather than at the bound.
      const rejected = status.rejected.find((r) => r.kind === 'Ingress' && r.namespace === ing.namespace && r.name === ing.name);
      if (rejected) throw new Error(`ingress ${ing.namespace}/${ing.name} was rejected: ${JSON.stringify(rejected.errors)}`);
      last = status.ingresses.find((s) => s.namespace === ing.namespace && s.name === ing.name);
      if (last && last.hash === want && last.conditions.some((c) => c.type === 'Ready' && c.status === 'True')) return last;
      if (Date.now() > until) throw new Error(`ingress ${ing.namespace}/${ing.name} is not Ready with hash ${want} within ${boundMs} ms; last: ${JSON.stringify(last)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async close(): Promise<void> {
    await this.sluice.stop();
    await Promise.all([...this.#backends].map((b) => b.close()));
    await this.cfg.cleanup();
  }
}
