// Which Services and Secrets the Gateway API objects name, so Kubernetes mode pushes only those
// (as it does for Ingresses). Read from the raw watched objects: a rejected object is still served
// from its last good version, which names much the same backends. Hostile shapes are skipped.
import type { KubeObject } from './client.ts';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** `namespace/name` of a reference to a core kind (`group: ""`), defaulting to the referrer's namespace */
function coreRef(ref: unknown, kind: string, ns: string): string | undefined {
  const r = obj(ref);
  if (!r) return undefined;
  const name = str(r.name);
  if (!name || (str(r.group) ?? '') !== '' || (str(r.kind) ?? kind) !== kind) return undefined;
  return `${str(r.namespace) ?? ns}/${name}`;
}

/** Services named by a route's backendRefs, its rules' and backends' RequestMirror filters. */
export function routeServices(route: KubeObject, into: Set<string>): void {
  const ns = route.metadata?.namespace ?? 'default';
  const add = (ref: unknown): void => {
    const key = coreRef(ref, 'Service', ns);
    if (key) into.add(key);
  };
  const mirrors = (filters: unknown): void => {
    for (const f of arr(filters)) add(obj(obj(f)?.requestMirror)?.backendRef);
  };
  for (const rule of arr(obj(route.spec)?.rules)) {
    const r = obj(rule);
    mirrors(r?.filters);
    for (const b of arr(r?.backendRefs)) {
      add(b);
      mirrors(obj(b)?.filters);
    }
  }
}

/** TLS Secrets named by a Gateway's listeners. */
export function gatewaySecrets(gateway: KubeObject, into: Set<string>): void {
  const ns = gateway.metadata?.namespace ?? 'default';
  for (const l of arr(obj(gateway.spec)?.listeners)) {
    for (const ref of arr(obj(obj(l)?.tls)?.certificateRefs)) {
      const key = coreRef(ref, 'Secret', ns);
      if (key) into.add(key);
    }
  }
}
