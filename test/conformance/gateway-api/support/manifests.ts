// The suite's manifests (conformance/base/manifests.yaml and conformance/tests/*.yaml, copied
// unchanged into ../manifests) prepared as the suite's Applier prepares them: the Gateways get the
// GatewayClass under test, and, in file mode, Sluice reads what the API server would store
// (metadata.generation, creationTimestamp). Deployments become echo backends (see base.ts).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const GatewayClassName = 'sluice';
export const ControllerName = 'sluice.dev/gateway-controller';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; generation?: number; creationTimestamp?: string; labels?: Record<string, string>; [k: string]: unknown };
  spec?: Record<string, unknown>;
  [k: string]: unknown;
}

const dir = fileURLToPath(new URL('../manifests/', import.meta.url));

/** The documents of `manifests/<name>` (the suite's `tests/<name>` or `base.yaml`). */
export function readManifest(name: string): KubeObject[] {
  const text = readFileSync(dir + name.replace(/^tests\//, ''), 'utf8');
  return parseAllDocuments(text)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null && typeof o === 'object' && typeof o.kind === 'string');
}

/** prepareGateway / prepareGatewayClass. */
export function prepare(obj: KubeObject): KubeObject {
  if (obj.kind === 'Gateway' && obj.apiVersion.startsWith('gateway.networking.k8s.io/')) {
    return { ...obj, spec: { ...obj.spec, gatewayClassName: GatewayClassName } };
  }
  if (obj.kind === 'GatewayClass') return { ...obj, spec: { ...obj.spec, controllerName: ControllerName } };
  return obj;
}

export function objectKey(o: KubeObject): string {
  return `${o.apiVersion.split('/')[0]}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/**
 * The API server's bookkeeping: generation 1 on create, +1 on each change of spec; creationTimestamp
 * set once. Kept across deletes only while the object exists.
 */
export class ObjectClock {
  readonly #seen = new Map<string, { generation: number; spec: string; created: string }>();
  #tick = 0;

  stamp(o: KubeObject): KubeObject {
    const key = objectKey(o);
    const spec = JSON.stringify(o.spec ?? null);
    const prev = this.#seen.get(key);
    // Creation order must be visible even within one second: each object is one second after the last.
    const created = prev?.created ?? new Date(Date.UTC(2026, 0, 1) + 1000 * this.#tick++).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const generation = prev ? (prev.spec === spec ? prev.generation : prev.generation + 1) : 1;
    this.#seen.set(key, { generation, spec, created });
    return { ...o, metadata: { ...o.metadata, generation, creationTimestamp: created } };
  }

  generation(o: KubeObject): number {
    return this.#seen.get(objectKey(o))?.generation ?? 1;
  }

  forget(o: KubeObject): void {
    this.#seen.delete(objectKey(o));
  }
}
