// What Gloo objects name in the cluster, read from the raw objects (a rejected object is still
// served from its last good version, which may name the same things): the TLS Secret of a
// VirtualService's sslConfig, and the credentials Secret of an AWS Upstream.
import type { Upstream, VirtualService } from '../gloo/types.ts';
import type { KubeObject } from './client.ts';

const namespaceOf = (o: KubeObject): string => o.metadata?.namespace ?? 'default';
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** adds `namespace/name` of the TLS Secret a VirtualService's sslConfig names */
export function virtualServiceSecrets(o: KubeObject, into: Set<string>): void {
  const ref = (o.spec as VirtualService['spec'] | undefined)?.sslConfig?.secretRef;
  const name = str(ref?.name);
  if (name) into.add(`${str(ref?.namespace) ?? namespaceOf(o)}/${name}`);
}

/** adds `namespace/name` of the credentials Secret (any type, usually Opaque) an AWS Upstream names */
export function upstreamSecrets(o: KubeObject, into: Set<string>): void {
  const ref = (o.spec as Upstream['spec'] | undefined)?.aws?.secretRef;
  const name = str(ref?.name);
  if (name) into.add(`${str(ref?.namespace) ?? namespaceOf(o)}/${name}`);
}
