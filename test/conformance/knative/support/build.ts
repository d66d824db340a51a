// Shorthands for the specs the Go tests spell out in full.
import type { Service } from './cluster.ts';
import { ServingNamespace } from './names.ts';
import type { IngressBackendSplit, IngressSpec, Visibility } from './spec.ts';

/** An IngressBackendSplit over the Service, with the split's other fields. */
export function split(svc: Service, extra: Omit<Partial<IngressBackendSplit>, 'serviceName' | 'serviceNamespace' | 'servicePort'> = {}): IngressBackendSplit {
  return { serviceName: svc.name, serviceNamespace: ServingNamespace, servicePort: svc.port, ...extra };
}

/** One rule, one path, one split: the spec most tests start from. */
export function simpleSpec(hosts: string[], svc: Service, visibility: Visibility = 'ExternalIP'): IngressSpec {
  return { rules: [{ hosts, visibility, http: { paths: [{ splits: [split(svc)] }] } }] };
}
