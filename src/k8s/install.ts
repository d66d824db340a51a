// The manifests that run Sluice in a cluster: its namespace, service account, least-privilege RBAC, the
// gateway Deployment, the external (LoadBalancer) and cluster-local Services; for Knative, its
// `config-network` pointing `ingress-class` at Sluice (the Gateway API's pieces are in
// install-gateway-api.ts). Pure data; printing and applying live elsewhere.
import { GLOO_KINDS } from './gloo-kinds.ts';
import { sluiceCrdManifests } from './install-sluice-crds.ts';
import { SLUICE_KINDS } from './sluice-kinds.ts';
import { stringify } from 'yaml';
import { SLUICE_VERSION } from '../version.ts';

export interface InstallOptions {
  readonly namespace: string;
  readonly image: string;
  readonly replicas: number;
  readonly ingressClass: string;
}

export const installDefaults: InstallOptions = {
  namespace: 'sluice-system',
  // What `docker build -t sluice:VERSION .` makes of this checkout; pinned, so a rollout is a choice.
  image: `sluice:${SLUICE_VERSION}`,
  replicas: 2,
  ingressClass: 'sluice.ingress.networking.knative.dev',
};

export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: unknown };

const APP = 'sluice';
const PUBLIC_SERVICE = 'sluice';
/** the LoadBalancer Service `install gateway-api` puts in front of the Gateway listeners */
export const GATEWAY_API_SERVICE = 'sluice-gateway';
const LOCAL_SERVICE = 'sluice-internal';
const LEASE = 'sluice-leader';
const CONFIG_MAP = 'config-sluice';
const ports = { http: 8080, https: 8443, local: 8081, health: 9903 };
/**
 * Gateway listeners bind their port plus this (a non-root container cannot bind 80 or 443): a Gateway's
 * port 80 listener is the pod's 10080, which the `sluice-gateway` Service publishes as 80.
 */
export const GATEWAY_PORT_OFFSET = 10_000;
/** seconds: readiness fails at SIGTERM, traffic keeps flowing for the delay, then in-flight requests get the drain */
const shutdown = { drainDelay: 5, drainTimeout: 30 };

/** Knative's install: Sluice's own manifests, and Knative's `config-network` pointing at Sluice. */
export function knativeInstallManifests(o: InstallOptions): Manifest[] {
  return [
    ...sluiceManifests(o),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'config-network', namespace: 'knative-serving', labels: { 'app.kubernetes.io/name': 'knative-serving' } },
      data: { 'ingress-class': o.ingressClass },
    },
  ];
}

/** Gateway API kinds Sluice reads, and those whose status it writes. */
const GATEWAY_API_READ = ['gatewayclasses', 'gateways', 'httproutes', 'grpcroutes', 'referencegrants'];
const GATEWAY_API_STATUS = ['gatewayclasses/status', 'gateways/status', 'httproutes/status', 'grpcroutes/status'];
/** The Gloo Edge and sluice.dev kinds Kubernetes mode watches (gloo-kinds.ts, sluice-kinds.ts), grouped: read, and status written. */
const GLOO_RULES = [...new Set([...GLOO_KINDS, ...SLUICE_KINDS].map((k) => k.group))].flatMap((group) => {
  const plurals = [...GLOO_KINDS, ...SLUICE_KINDS].filter((k) => k.group === group).map((k) => k.plural);
  return [
    { apiGroups: [group], resources: plurals, verbs: ['get', 'list', 'watch'] },
    { apiGroups: [group], resources: plurals.map((p) => `${p}/status`), verbs: ['get', 'update', 'patch'] },
  ];
});

/**
 * What every install shares: namespace, service account, RBAC, the gateway Services and Deployment. The
 * same objects in each install, so installing both (Knative and the Gateway API) applies them once.
 */
export function sluiceManifests(o: InstallOptions): Manifest[] {
  const ns = o.namespace;
  const labels = { 'app.kubernetes.io/name': APP, 'app.kubernetes.io/component': 'net-sluice', 'networking.knative.dev/ingress-provider': APP };
  const meta = (name: string, namespaced = true) => ({ name, ...(namespaced ? { namespace: ns } : {}), labels });
  const selector = { 'app.kubernetes.io/name': APP };
  const subject = { kind: 'ServiceAccount', name: APP, namespace: ns };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: meta(ns, false) },
    // Sluice's policy kinds (cluster-wide), before the gateway that reads them.
    ...sluiceCrdManifests(),
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(APP) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: meta(APP, false),
      // Read what the translators need; write only status. Nothing else cluster-wide.
      rules: [
        { apiGroups: ['networking.internal.knative.dev'], resources: ['ingresses'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['networking.internal.knative.dev'], resources: ['ingresses/status'], verbs: ['get', 'update', 'patch'] },
        { apiGroups: ['gateway.networking.k8s.io'], resources: GATEWAY_API_READ, verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['gateway.networking.k8s.io'], resources: GATEWAY_API_STATUS, verbs: ['get', 'update', 'patch'] },
        ...GLOO_RULES,
        // Namespace labels: what Gateway listeners' allowedRoutes selectors match.
        { apiGroups: [''], resources: ['services', 'secrets', 'namespaces'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
      ],
    },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: meta(APP, false), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: APP }, subjects: [subject] },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta(`${APP}-leader-election`),
      // `create` cannot be limited by name; get/update are limited to the one Lease.
      rules: [
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [LEASE], verbs: ['get', 'update'] },
      ],
    },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: meta(`${APP}-leader-election`), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${APP}-leader-election` }, subjects: [subject] },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta(`${APP}-config`),
      // Gateway-wide settings: config-sluice alone (list and watch name it by a field selector).
      rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: [CONFIG_MAP], verbs: ['get', 'list', 'watch'] }],
    },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: meta(`${APP}-config`), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${APP}-config` }, subjects: [subject] },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(PUBLIC_SERVICE),
      spec: {
        type: 'LoadBalancer',
        selector,
        ports: [
          { name: 'http', port: 80, targetPort: ports.http, protocol: 'TCP' },
          { name: 'https', port: 443, targetPort: ports.https, protocol: 'TCP' },
        ],
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: meta(LOCAL_SERVICE), spec: { type: 'ClusterIP', selector, ports: [{ name: 'http', port: 80, targetPort: ports.local, protocol: 'TCP' }] } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(CONFIG_MAP),
      // Day-2 settings (policies, listener options) are read from here; keys outside `_example` take effect.
      data: { _example: '# Gateway-wide settings for Sluice go here, one key per setting (see the README).\n' },
    },
    deployment(o, meta(APP), selector),
    // Voluntary disruptions (node drains, upgrades) take one gateway pod at a time.
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta(APP), spec: { maxUnavailable: 1, selector: { matchLabels: selector } } },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta(APP),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: APP },
        minReplicas: o.replicas,
        maxReplicas: Math.max(10, o.replicas * 4),
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      },
    },
  ];
}

function deployment(o: InstallOptions, metadata: Manifest['metadata'], selector: Record<string, string>): Manifest {
  const env = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });
  const probe = (path: string, extra: Record<string, number>) => ({ httpGet: { path, port: 'health' }, ...extra });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels: { ...metadata.labels },
          // The health port serves /metrics on the pod address.
          annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(ports.health), 'prometheus.io/path': '/metrics' },
        },
        spec: {
          serviceAccountName: APP,
          // The drain delay and the drain, plus time to close pools and exit, before the kubelet's SIGKILL.
          terminationGracePeriodSeconds: shutdown.drainDelay + shutdown.drainTimeout + 10,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          // One node or zone going away takes as few gateway pods as the cluster allows.
          topologySpreadConstraints: ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'].map((topologyKey) => ({
            maxSkew: 1,
            topologyKey,
            whenUnsatisfiable: 'ScheduleAnyway',
            labelSelector: { matchLabels: selector },
          })),
          containers: [
            {
              name: APP,
              image: o.image,
              // The image's entrypoint is `node bin/sluice.js serve --kubernetes`.
              args: [
                '--ingress-class', o.ingressClass,
                '--gateway-service', `${o.namespace}/${PUBLIC_SERVICE}`,
                '--local-gateway-service', `${o.namespace}/${LOCAL_SERVICE}`,
                '--gateway-api-service', `${o.namespace}/${GATEWAY_API_SERVICE}`,
                '--http', `0.0.0.0:${ports.http}`,
                '--https', `0.0.0.0:${ports.https}`,
                '--local', `0.0.0.0:${ports.local}`,
                // The kubelet probes the pod IP: only the health port listens there; admin stays on loopback.
                '--health', `0.0.0.0:${ports.health}`,
                '--drain-delay', String(shutdown.drainDelay),
                '--drain-timeout', String(shutdown.drainTimeout),
                '--port-offset', String(GATEWAY_PORT_OFFSET),
              ],
              env: [env('POD_NAME', 'metadata.name'), env('POD_NAMESPACE', 'metadata.namespace')],
              ports: [
                { name: 'http', containerPort: ports.http, protocol: 'TCP' },
                { name: 'https', containerPort: ports.https, protocol: 'TCP' },
                { name: 'local', containerPort: ports.local, protocol: 'TCP' },
                { name: 'health', containerPort: ports.health, protocol: 'TCP' },
                { name: 'gateway-http', containerPort: 80 + GATEWAY_PORT_OFFSET, protocol: 'TCP' },
                { name: 'gateway-https', containerPort: 443 + GATEWAY_PORT_OFFSET, protocol: 'TCP' },
              ],
              // /ready is 503 until the first full read of the cluster is served, and again from SIGTERM on;
              // checked often enough that a failing pod is seen within the drain delay.
              readinessProbe: probe('/ready', { periodSeconds: 2, failureThreshold: 2 }),
              // /live answers whenever the process is alive, so a slow first sync does not restart it.
              // Liveness starts counting once the process answers at all (up to a minute for a large first sync).
              startupProbe: probe('/live', { periodSeconds: 2, failureThreshold: 30 }),
              livenessProbe: probe('/live', { periodSeconds: 10, failureThreshold: 6 }),
              resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { memory: '1Gi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              // tsx keeps its compile cache under the temp dir.
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  };
}

/**
 * What an uninstall deletes of `manifests`: all but the CRDs of Sluice's policy kinds, whose deletion
 * would delete every policy in the cluster with them (a reinstall finds them again).
 */
export function uninstalled(manifests: readonly Manifest[]): Manifest[] {
  return manifests.filter((m) => m.kind !== 'CustomResourceDefinition');
}

/** Multi-document YAML, one manifest per document, in apply order. */
export function manifestsYaml(manifests: readonly Manifest[]): string {
  return manifests.map((m) => stringify(m, { lineWidth: 0 })).join('---\n');
}
