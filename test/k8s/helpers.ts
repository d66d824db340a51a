// Object builders and a bounded wait for the Kubernetes-mode tests.
import { INGRESS_CLASS_ANNOTATION, SERVICE_NAME_LABEL } from '../../src/api/types.ts';
import type { KObject } from '../support/fake-apiserver.ts';

export function ingress(namespace: string, name: string, ingressClass: string, host: string, backend: string, visibility = 'ExternalIP'): KObject {
  return {
    apiVersion: 'networking.internal.knative.dev/v1alpha1',
    kind: 'Ingress',
    metadata: { name, namespace, annotations: { [INGRESS_CLASS_ANNOTATION]: ingressClass } },
    spec: {
      rules: [{ hosts: [host], visibility, http: { paths: [{ splits: [{ serviceNamespace: namespace, serviceName: backend, servicePort: 80, percent: 100 }] }] } }],
      httpOption: 'Enabled',
    },
  };
}

export function service(namespace: string, name: string, port: number, portName = 'http'): KObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { type: 'ClusterIP', ports: [{ name: portName, port, targetPort: port }] } };
}

export function slice(namespace: string, name: string, svc: string, addresses: string[], port: number, portName = 'http', ready = true): KObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace, labels: { [SERVICE_NAME_LABEL]: svc } },
    addressType: 'IPv4',
    endpoints: addresses.map((a) => ({ addresses: [a], conditions: { ready } })),
    ports: [{ name: portName, port, protocol: 'TCP' }],
  };
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
