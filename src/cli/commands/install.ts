// `sluice install knative` / `sluice install gateway-api`: prints the manifests that make Sluice Knative's
// ingress or a Gateway API implementation, or with --apply checks that what they need is installed
// (Knative Serving; the Gateway API CRDs) and applies them with server-side apply (field manager `sluice`).
import type { Writable } from 'node:stream';
import { Command } from 'commander';
import { SluiceError } from '../../errors.ts';
import { installDefaults, knativeInstallManifests, manifestsYaml, type InstallOptions, type Manifest } from '../../k8s/install.ts';
import { GATEWAY_API_CRDS_COMMAND, GATEWAY_API_VERSION, gatewayApiInstallManifests } from '../../k8s/install-gateway-api.ts';

export interface InstallFlags {
  namespace: string;
  image: string;
  replicas: string;
  ingressClass: string;
  apply?: boolean;
  kubeconfig?: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function installOptionsFromFlags(f: InstallFlags): InstallOptions {
  if (!DNS_LABEL.test(f.namespace) || f.namespace.length > 63) throw new SluiceError('SLUICE_ERR_BAD_FLAG', `--namespace: "${f.namespace}" is not a valid namespace name`);
  const replicas = Number(f.replicas);
  if (!Number.isInteger(replicas) || replicas < 1) throw new SluiceError('SLUICE_ERR_BAD_FLAG', `--replicas: "${f.replicas}" must be a whole number of at least 1`);
  if (!f.image.trim() || /\s/.test(f.image)) throw new SluiceError('SLUICE_ERR_BAD_FLAG', `--image: "${f.image}" is not an image reference`);
  if (!f.ingressClass.trim()) throw new SluiceError('SLUICE_ERR_BAD_FLAG', '--ingress-class must not be empty');
  return { namespace: f.namespace, image: f.image, replicas, ingressClass: f.ingressClass };
}

/** Checks that Knative Serving is there, then applies every manifest (field manager `sluice`). */
async function applyKnative(manifests: readonly Manifest[], kubeconfig: string | undefined, out: Writable): Promise<void> {
  // Loaded on use: the client library costs seconds, and every `sluice` command registers this one.
  const { KubeClient } = await import('../../k8s/client.ts');
  const { applyManifests, checkPreconditions, knativePreconditions } = await import('../../k8s/apply.ts');
  const client = KubeClient.load(kubeconfig);
  await checkPreconditions(client, knativePreconditions);
  await applyManifests(client, manifests, (what) => out.write(`${what} applied\n`));
}

export async function runInstallKnative(f: InstallFlags, out: Writable): Promise<void> {
  const manifests = knativeInstallManifests(installOptionsFromFlags(f));
  if (f.apply) await applyKnative(manifests, f.kubeconfig, out);
  else out.write(manifestsYaml(manifests));
}

/** Checks that the Gateway API CRDs are there, then applies every manifest (field manager `sluice`). */
async function applyGatewayApi(manifests: readonly Manifest[], kubeconfig: string | undefined, out: Writable): Promise<void> {
  const { KubeClient } = await import('../../k8s/client.ts');
  const { applyManifests, checkPreconditions, gatewayApiPreconditions } = await import('../../k8s/apply.ts');
  const client = KubeClient.load(kubeconfig);
  await checkPreconditions(client, gatewayApiPreconditions, { name: `the Gateway API (${GATEWAY_API_VERSION})`, hint: `install its CRDs first: ${GATEWAY_API_CRDS_COMMAND}` });
  await applyManifests(client, manifests, (what) => out.write(`${what} applied\n`));
}

export async function runInstallGatewayApi(f: InstallFlags, out: Writable): Promise<void> {
  const manifests = gatewayApiInstallManifests(installOptionsFromFlags(f));
  if (f.apply) return applyGatewayApi(manifests, f.kubeconfig, out);
  // The CRDs are the upstream release's, applied as its docs say; Sluice does not fetch them.
  out.write(`# First install the Gateway API ${GATEWAY_API_VERSION} CRDs (experimental channel; not included here):\n# ${GATEWAY_API_CRDS_COMMAND}\n`);
  out.write(manifestsYaml(manifests));
}

/** The flags every install subcommand takes. */
function withInstallFlags(c: Command): Command {
  return c
    .option('--namespace <ns>', 'namespace for the gateway', installDefaults.namespace)
    .option('--image <image>', 'gateway image (build it with the Dockerfile)', installDefaults.image)
    .option('--replicas <n>', 'gateway replicas', String(installDefaults.replicas))
    .option('--ingress-class <class>', 'Knative ingress class Sluice serves (and Knative is told to use)', installDefaults.ingressClass)
    .option('--apply', 'apply with server-side apply instead of printing')
    .option('--kubeconfig <file>', 'kubeconfig for --apply (default: $KUBECONFIG, ~/.kube/config, or in-cluster)');
}

/** `install` with its `knative` and `gateway-api` subcommands. */
export function installCommand(): Command {
  const install = new Command('install').description('print or apply the manifests that run Sluice in a cluster');
  withInstallFlags(install.command('gateway-api').description('make Sluice a Gateway API implementation: GatewayClass sluice, RBAC, gateway Deployment and Services')).action(async (f: InstallFlags) => {
    await runInstallGatewayApi(f, process.stdout);
  });
  install
    .command('knative')
    .description("make Sluice Knative's ingress: namespace, RBAC, gateway Deployment and Services, config-network")
    .option('--namespace <ns>', 'namespace for the gateway', installDefaults.namespace)
    .option('--image <image>', 'gateway image (build it with the Dockerfile)', installDefaults.image)
    .option('--replicas <n>', 'gateway replicas', String(installDefaults.replicas))
    .option('--ingress-class <class>', 'ingress class Knative is told to use', installDefaults.ingressClass)
    .option('--apply', 'apply with server-side apply instead of printing')
    .option('--kubeconfig <file>', 'kubeconfig for --apply (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
    .action(async (f: InstallFlags) => {
      await runInstallKnative(f, process.stdout);
    });
  return install;
}
