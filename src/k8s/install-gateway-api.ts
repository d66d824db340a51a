// The manifests that make Sluice a Gateway API implementation: what every install shares (RBAC,
// Deployment, Services), a LoadBalancer Service for the Gateway listeners, and the GatewayClass
// `sluice`. The Gateway API CRDs come from the upstream release: printed as a command, never fetched.
import { CONTROLLER_NAME } from '../gateway-api/types.ts';
import { GATEWAY_API_SERVICE, GATEWAY_PORT_OFFSET, sluiceManifests, type InstallOptions, type Manifest, uninstalled } from './install.ts';

export const GATEWAY_API_VERSION = 'v1.6.1';
export const GATEWAY_API_CRDS_COMMAND = `kubectl apply --server-side -f https://github.com/kubernetes-sigs/gateway-api/releases/download/${GATEWAY_API_VERSION}/experimental-install.yaml`;
export const GATEWAY_CLASS = 'sluice';

export function gatewayApiInstallManifests(o: InstallOptions): Manifest[] {
  const labels = { 'app.kubernetes.io/name': 'sluice', 'app.kubernetes.io/component': 'gateway-api' };
  return [
    ...sluiceManifests(o),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: GATEWAY_API_SERVICE, namespace: o.namespace, labels },
      // Gateway listeners on 80 and 443; other ports need a port added here (port + the offset).
      spec: {
        type: 'LoadBalancer',
        selector: { 'app.kubernetes.io/name': 'sluice' },
        ports: [
          { name: 'http', port: 80, targetPort: 80 + GATEWAY_PORT_OFFSET, protocol: 'TCP' },
          { name: 'https', port: 443, targetPort: 443 + GATEWAY_PORT_OFFSET, protocol: 'TCP' },
        ],
      },
    },
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: GATEWAY_CLASS, labels }, spec: { controllerName: CONTROLLER_NAME, description: 'Sluice' } },
  ];
}

/** What `uninstall gateway-api` deletes: what the install applied but the policy CRDs, in reverse order (the namespace last). */
export function gatewayApiUninstallManifests(o: InstallOptions): Manifest[] {
  return uninstalled(gatewayApiInstallManifests(o)).reverse();
}
