// `sluice install knative` / `sluice install gateway-api`: prints the manifests that make Sluice Knative's
// ingress or a Gateway API implementation, or with --apply applies them with server-side apply (field
// manager `sluice`): for Knative, Knative Serving first unless it is there (see k8s/install-knative.ts);
// for the Gateway API, after checking that its CRDs are installed. --dry-run prints what --apply would write.
import type { Writable } from 'node:stream';
import { Command } from 'commander';
import { SluiceError } from '../../errors.ts';
import { installDefaults, knativeInstallManifests, manifestsYaml, type InstallOptions, type Manifest } from '../../k8s/install.ts';
import type { ApplyOptions, ServingChoice } from '../../k8s/install-knative.ts';
import { parseServingVersion, parseSha256Flag, SERVING_DEFAULT_VERSION, servingVersionSupported, SUPPORTED_RANGE } from '../../k8s/serving/release.ts';
import { GATEWAY_API_CRDS_COMMAND, GATEWAY_API_VERSION, gatewayApiInstallManifests } from '../../k8s/install-gateway-api.ts';

export interface InstallFlags {
  namespace: string;
  image: string;
  replicas: string;
  ingressClass: string;
  apply?: boolean;
  kubeconfig?: string;
  /** `install knative` only, from here on */
  dryRun?: boolean;
  output?: string;
  servingVersion?: string;
  manifests?: string;
  sha256?: string;
  skipServing?: boolean;
  wait?: boolean;
  timeout?: string;
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

type Output = 'yaml' | 'json';

function outputFromFlag(o: string | undefined): Output {
  if (o === undefined || o === 'yaml' || o === 'json') return o ?? 'yaml';
  throw new SluiceError('SLUICE_ERR_BAD_FLAG', `-o: "${o}" must be yaml or json`);
}

/** `90s`, `5m`, `1h`, `2m30s` or plain seconds -> milliseconds (more than 0). */
export function parseDurationFlag(flag: string, text: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text.trim());
  const plain = /^\d+$/.test(text.trim());
  const ms = plain ? Number(text) * 1000 : m && text.trim() ? (Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)) * 1000 : NaN;
  if (!(ms > 0)) throw new SluiceError('SLUICE_ERR_BAD_FLAG', `${flag}: "${text}" is not a duration (e.g. 90s, 5m, 1h)`);
  return ms;
}

/** Which Serving to install, checked before the cluster is asked anything. */
export function servingChoiceFromFlags(f: InstallFlags): ServingChoice {
  const given = f.servingVersion ?? SERVING_DEFAULT_VERSION;
  const version = parseServingVersion(given);
  if (!version) throw new SluiceError('SLUICE_ERR_BAD_FLAG', `--serving-version: "${given}" is not a version (e.g. ${SERVING_DEFAULT_VERSION})`);
  if (!servingVersionSupported(version)) throw new SluiceError('SLUICE_ERR_BAD_FLAG', `--serving-version: ${version} is not supported (supported: ${SUPPORTED_RANGE})`);
  return { skip: f.skipServing === true, version, ...(f.manifests ? { manifestsDir: f.manifests } : {}), ...(f.sha256 !== undefined ? { sums: parseSha256Flag(f.sha256) } : {}) };
}

function formatObjects(objs: readonly Manifest[], output: Output): string {
  return output === 'json' ? `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objs }, null, 2)}\n` : manifestsYaml(objs);
}

/**
 * --apply / --dry-run: decide against the cluster what to write (Serving unless it is there, Sluice,
 * config-network), then print it (dry run: YAML comments carry the decisions) or apply it in order.
 */
async function installKnativeInCluster(f: InstallFlags, o: InstallOptions, serving: ServingChoice, apply: ApplyOptions, output: Output, out: Writable): Promise<void> {
  // Loaded on use: the client library costs seconds, and every `sluice` command registers this one.
  const { KubeClient } = await import('../../k8s/client.ts');
  const { applyKnativePlan, planKnativeInstall, planObjects } = await import('../../k8s/install-knative.ts');
  const client = KubeClient.load(f.kubeconfig);
  const say = (line: string) => out.write(`${line}\n`);
  const comment = (line: string) => output === 'yaml' && out.write(`# ${line}\n`);
  const plan = await planKnativeInstall(client, o, serving, f.dryRun ? comment : say);
  if (f.dryRun) out.write(formatObjects(planObjects(plan), output));
  else await applyKnativePlan(client, plan, apply, say);
}

export async function runInstallKnative(f: InstallFlags, out: Writable): Promise<void> {
  // Every flag is checked first, whatever the mode: a typo fails the same with or without --apply.
  const o = installOptionsFromFlags(f);
  const output = outputFromFlag(f.output);
  const serving = servingChoiceFromFlags(f);
  const apply: ApplyOptions = { wait: f.wait !== false, timeoutMs: parseDurationFlag('--timeout', f.timeout ?? '5m') };
  if (f.apply || f.dryRun) return installKnativeInCluster(f, o, serving, apply, output, out);
  out.write(formatObjects(knativeInstallManifests(o), output));
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
    .option('-n, --namespace <ns>', 'namespace for the gateway', installDefaults.namespace)
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
  withInstallFlags(install.command('knative').description("make Sluice Knative's ingress: Knative Serving unless it is there, then Sluice's namespace, RBAC, Deployment and Services, then config-network's ingress-class"))
    .option('--dry-run', 'print everything --apply would write (Knative Serving included) and write nothing')
    .option('-o, --output <format>', 'yaml or json (printing and --dry-run)', 'yaml')
    .option('--serving-version <version>', `Knative Serving release to install when it is not there (supported: ${SUPPORTED_RANGE})`, SERVING_DEFAULT_VERSION)
    .option('--manifests <dir>', 'read serving-crds.yaml and serving-core.yaml from DIR instead of fetching them (air-gapped clusters)')
    .option('--sha256 <sums>', 'crds=HEX,core=HEX: the sums the Serving release files must have')
    .option('--skip-serving', 'do not install Knative Serving (it must be there already)')
    .option('--wait', 'wait until Knative Serving is ready before installing Sluice (default)')
    .option('--no-wait', 'do not wait for Knative Serving (Sluice and config-network may then be refused by its webhooks)')
    .option('--timeout <duration>', 'how long --apply waits for Knative Serving', '5m')
    .action(async (f: InstallFlags) => {
      await runInstallKnative(f, process.stdout);
    });
  return install;
}
