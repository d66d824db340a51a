// ConformanceTestSuite in file mode: one `sluice serve --config DIR` with the base manifests (and
// their echo backends) per test file, which runs its tests one after another as the Go suite does.
// Each Gateway listener binds 127.0.0.1:(port + offset) (`--gateway-address`, `--port-offset`);
// the offset differs per test file so files running in parallel never share a port.
import net from 'node:net';
import { ConfigDir } from '../../../support/config.ts';
import { type SluiceProcess, startSluice } from '../../../support/sluice.ts';
import { type BaseResources, controllerEndpointSlices, InfrastructureNamespace, startBase, WebBackendNamespace } from './base.ts';
import { type CertPair, caCert, caConfigMap, caSignedClientCert, tlsSecret } from './certs.ts';
import { type KubeObject, ObjectClock, GatewayClassName, ControllerName, prepare, readManifest, objectKey } from './manifests.ts';
import type { AdminStatus } from './status.ts';

/** The ports Gateway listeners of the suite's manifests use. */
const LISTENER_PORTS = [80, 81, 443, 1111, 6443, 7443, 8080, 8083, 8090, 8443, 8883];
/** 300 apart: no listener port of one file's offset lands on another file's (checked for 10 offsets). */
const OFFSET_BASE = 20_000;
const OFFSET_STRIDE = 300;

export interface TimeoutConfig {
  /** status conditions (GatewayMustHaveCondition, RouteMustHaveParents, ...): the suite's are 60-180 s */
  readonly status: number;
  /** MaxTimeToConsistency (the suite's is 30 s) */
  readonly consistency: number;
  /** one request (the suite's RequestTimeout) */
  readonly request: number;
  readonly requiredConsecutiveSuccesses: number;
  /** HTTPRouteMustNotHaveParents */
  readonly mustNotHaveParents: number;
}

export const DefaultTimeouts: TimeoutConfig = { status: 15_000, consistency: 15_000, request: 10_000, requiredConsecutiveSuccesses: 3, mustNotHaveParents: 3_000 };

export const KnownFailureTimeouts: TimeoutConfig = { ...DefaultTimeouts, status: 3_000, consistency: 3_000, request: 3_000 };

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

export class ConformanceSuite {
  readonly controllerName = ControllerName;
  readonly gatewayClassName = GatewayClassName;
  /** the runner shortens them for tests known to fail */
  timeouts: TimeoutConfig = DefaultTimeouts;
  readonly #clock: ObjectClock;
  #applied = 0;
  readonly #files = new Map<string, KubeObject[]>();
  #clientCerts: Map<string, CertPair> | undefined;

  private constructor(
    readonly cfg: ConfigDir,
    readonly sluice: SluiceProcess,
    readonly base: BaseResources,
    readonly portOffset: number,
    clock: ObjectClock,
  ) {
    this.#clock = clock;
  }

  /** `index` (0-9) picks this test file's port offset. */
  static async start(index: number): Promise<ConformanceSuite> {
    const offset = OFFSET_BASE + index * OFFSET_STRIDE;
    for (const p of LISTENER_PORTS) {
      if (!(await portFree(p + offset))) throw new Error(`port ${p + offset} (listener port ${p} + offset ${offset}) is in use: another run of this file?`);
    }
    const base = await startBase();
    const cfg = await ConfigDir.create();
    try {
      const clock = new ObjectClock();
      const gwc: KubeObject = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: GatewayClassName }, spec: { controllerName: ControllerName } };
      const baseObjects = [gwc, ...base.objects].map((o) => clock.stamp(prepare(o)));
      await cfg.write('base.yaml', baseObjects);
      const sluice = await startSluice(
        ['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--gateway-address', '127.0.0.1', '--port-offset', String(offset)],
        ['http', 'local', 'admin'],
        { env: { SLUICE_LOG_LEVEL: 'info' } },
      );
      const suite = new ConformanceSuite(cfg, sluice, base, offset, clock);
      suite.#files.set('base.yaml', baseObjects);
      return suite;
    } catch (err) {
      await cfg.cleanup();
      await base.close();
      throw err;
    }
  }

  get adminAddress(): string {
    const a = this.sluice.addresses.admin;
    if (!a) throw new Error('sluice has no admin listener');
    return a;
  }

  /** Where a connection to the Gateway address on `listenerPort` goes. */
  dial(listenerPort: number): { host: string; port: number } {
    return { host: '127.0.0.1', port: listenerPort + this.portOffset };
  }

  async status(): Promise<AdminStatus> {
    const res = await fetch(`http://${this.adminAddress}/status`, { signal: AbortSignal.timeout(5000) });
    return (await res.json()) as AdminStatus;
  }

  /** Whether this build of Sluice serves the Gateway API at all (its /status has the arrays). */
  async servesGatewayAPI(): Promise<boolean> {
    const s = await this.status();
    return Array.isArray(s.gateways) && Array.isArray(s.routes);
  }

  /** MustApplyWithCleanup: writes the manifest's objects; the returned function deletes them. */
  async applyManifest(name: string): Promise<() => Promise<void>> {
    return this.applyObjects(readManifest(name), name.replace(/^tests\//, '').replace(/\.yaml$/, ''));
  }

  /**
   * Writes `objects` as one file (`label` names it), with the EndpointSlices Kubernetes would make
   * for its Services that select a base Deployment; the returned function deletes them.
   */
  async applyObjects(objects: KubeObject[], label: string): Promise<() => Promise<void>> {
    const file = `t${String(++this.#applied).padStart(3, '0')}-${label}.yaml`;
    const stamped = [...objects, ...controllerEndpointSlices(objects, this.base.pods)].map((o) => this.#clock.stamp(prepare(o)));
    this.#files.set(file, stamped);
    await this.cfg.write(file, stamped);
    return async () => {
      const now = this.#files.get(file) ?? [];
      this.#files.delete(file);
      await this.cfg.remove(file);
      for (const o of now) this.#clock.forget(o);
    };
  }

  /** client.Update: a new version of an applied object (its generation bumps when the spec changed). */
  async update(obj: KubeObject): Promise<KubeObject> {
    const key = objectKey(obj);
    for (const [file, objs] of this.#files) {
      const i = objs.findIndex((o) => objectKey(o) === key);
      if (i < 0) continue;
      const stamped = this.#clock.stamp(prepare(obj));
      const next = objs.map((o, j) => (j === i ? stamped : o));
      this.#files.set(file, next);
      await this.cfg.write(file, next);
      return stamped;
    }
    throw new Error(`update: ${key} was not applied`);
  }

  /**
   * metadata.generation as the API server holds it (what the harness last wrote), for the
   * observedGeneration checks; undefined for objects it did not write.
   */
  knownGeneration(kind: string, namespace: string, name: string): number | undefined {
    for (const objs of this.#files.values()) {
      const o = objs.find((x) => x.kind === kind && (x.metadata.namespace ?? '') === namespace && x.metadata.name === name);
      if (o) return o.metadata.generation;
    }
    return undefined;
  }

  /** client.Delete of one applied object. */
  async delete(kind: string, namespace: string, name: string): Promise<void> {
    for (const [file, objs] of this.#files) {
      const gone = objs.find((o) => o.kind === kind && (o.metadata.namespace ?? '') === namespace && o.metadata.name === name);
      if (!gone) continue;
      const next = objs.filter((o) => o !== gone);
      this.#files.set(file, next);
      this.#clock.forget(gone);
      if (next.length) await this.cfg.write(file, next);
      else await this.cfg.remove(file);
      return;
    }
    throw new Error(`delete: ${kind} ${namespace}/${name} was not applied`);
  }

  /** client.Get of an applied object's spec, as last written. */
  applied(kind: string, namespace: string, name: string): KubeObject {
    for (const objs of this.#files.values()) {
      const o = objs.find((x) => x.kind === kind && (x.metadata.namespace ?? '') === namespace && x.metadata.name === name);
      if (o) return structuredClone(o);
    }
    throw new Error(`${kind} ${namespace}/${name} was not applied`);
  }

  generation(o: KubeObject): number {
    return this.#clock.generation(o);
  }

  /** kubernetes.GetTLSSecret: the certificate (PEM) of a Secret the suite made. */
  tlsSecretCert(namespace: string, name: string): string {
    const pair = this.base.certs.get(`${namespace}/${name}`);
    if (!pair) throw new Error(`unexpected error finding TLS secret: ${namespace}/${name}`);
    return pair.cert;
  }

  /**
   * The client certificate validation material suite.go makes (CA ConfigMaps, client certificate
   * Secrets signed by them), made on first use: RSA keys are slow to make, and few tests need them.
   * Returns the client certificates by `namespace/secret`.
   */
  async clientValidationCerts(): Promise<ReadonlyMap<string, CertPair>> {
    if (this.#clientCerts) return this.#clientCerts;
    const certs = new Map<string, CertPair>();
    const objects: object[] = [caConfigMap(WebBackendNamespace, 'web-backend-cm', caCert())];
    for (const [cm, secret] of [
      ['tls-validity-checks-ca-certificate', 'tls-validity-checks-client-certificate'],
      ['tls-validity-checks-per-port-ca-certificate', 'tls-validity-checks-per-port-client-certificate'],
    ] as const) {
      const ca = caCert();
      const client = caSignedClientCert(ca);
      certs.set(`${InfrastructureNamespace}/${secret}`, client);
      objects.push(caConfigMap(InfrastructureNamespace, cm, ca), tlsSecret(InfrastructureNamespace, secret, client));
    }
    // Kept until the suite ends, as suite.go's cleanup would.
    await this.applyObjects(objects as KubeObject[], 'client-certificate-validation');
    this.#clientCerts = certs;
    return certs;
  }

  /** The pods of a base Deployment (`namespace/name`). */
  pods(deployment: string) {
    return this.base.pods.get(deployment) ?? [];
  }

  async close(): Promise<void> {
    await this.sluice.stop();
    await this.base.close();
    await this.cfg.cleanup();
  }
}
