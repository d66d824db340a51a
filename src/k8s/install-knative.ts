// `install knative --apply` and `--dry-run`: decide what to apply (Knative Serving unless it is there,
// then Sluice, then config-network's `ingress-class`), then either print it all or apply it in order,
// waiting for Serving in between. Serving found in the cluster is checked against the supported range;
// Serving to install comes from --manifests or Knative's release, checked by sha256.
import { SluiceError } from '../errors.ts';
import { KubeApiError, type KubeClient } from './client.ts';
import { applyManifests, checkPreconditions, knativePreconditions } from './apply.ts';
import { sluiceManifests, type InstallOptions, type Manifest } from './install.ts';
import { RestMapper } from './rest-mapper.ts';
import { detectServing, SERVING_NAMESPACE } from './serving/detect.ts';
import { withRecord } from './serving/record.ts';
import { servingVersionSupported, SUPPORTED_RANGE, type ServingSums } from './serving/release.ts';
import { loadServingRelease, servingSource } from './serving/source.ts';
import { crdsEstablished, servingReadiness, waitUntilReady } from './serving/wait.ts';

export const CONFIG_NETWORK_PATH = `/api/v1/namespaces/${SERVING_NAMESPACE}/configmaps/config-network`;

export interface ServingChoice {
  readonly skip: boolean;
  /** the release to install when Serving is not there */
  readonly version: string;
  readonly manifestsDir?: string;
  readonly sums?: ServingSums;
}

/** Everything an install writes, in order. */
export interface KnativePlan {
  /** Serving's CRDs, then its core with the install record; absent when Serving is there or skipped */
  readonly serving?: { readonly version: string | undefined; readonly crds: readonly Manifest[]; readonly core: readonly Manifest[] };
  readonly sluice: readonly Manifest[];
  /** config-network with only the key Sluice sets: written as a merge patch, never a whole ConfigMap */
  readonly configNetwork: Manifest;
}

export function configNetworkPatch(ingressClass: string): Manifest {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'config-network', namespace: SERVING_NAMESPACE }, data: { 'ingress-class': ingressClass } };
}

const unsupported = (version: string, where: string) =>
  new SluiceError('SLUICE_ERR_KUBERNETES', `Knative Serving ${version} ${where} is not supported by Sluice (supported: ${SUPPORTED_RANGE}); nothing was applied`);

/** Reads the cluster (never writes) and the release files to decide what to apply; `say` gets one line per decision. */
export async function planKnativeInstall(client: KubeClient, o: InstallOptions, s: ServingChoice, say: (line: string) => void): Promise<KnativePlan> {
  const rest = { sluice: sluiceManifests(o), configNetwork: configNetworkPatch(o.ingressClass) };
  if (s.skip) {
    await checkPreconditions(client, knativePreconditions, { name: 'Knative Serving', hint: 'install it first, or drop --skip-serving' });
    return rest;
  }
  const found = await detectServing(client);
  if (found.installed) {
    // A build from source says `devel`: only release versions are held to the supported range.
    const release = found.version !== undefined && /^v?\d+\.\d+/.test(found.version);
    if (release && !servingVersionSupported(found.version!)) throw unsupported(found.version!, 'is installed but');
    const which = found.version === undefined ? ' (version unknown: no app.kubernetes.io/version label)' : release ? '' : ' (not a release version, so not checked)';
    say(`Knative Serving ${found.version ?? ''} is installed${which}; not installing it`.replace('  ', ' '));
    return rest;
  }
  const release = await loadServingRelease(servingSource(s.version, s.manifestsDir, s.sums));
  if (release.version && !servingVersionSupported(release.version)) throw unsupported(release.version, `in ${s.manifestsDir ?? 'the release'}`);
  say(`installing Knative Serving ${release.version ?? '(version unknown)'} from ${s.manifestsDir ?? 'its GitHub release'}`);
  return { ...rest, serving: { version: release.version, crds: release.crds, core: withRecord(release.core, release.version, [...release.crds, ...release.core]) } };
}

/** Every object of the plan in apply order, as --dry-run prints it. */
export function planObjects(p: KnativePlan): Manifest[] {
  return [...(p.serving ? [...p.serving.crds, ...p.serving.core] : []), ...p.sluice, p.configNetwork];
}

export interface ApplyOptions {
  /** wait for Serving (CRDs Established, Deployments Available, webhooks' endpoints) before going on */
  readonly wait: boolean;
  readonly timeoutMs: number;
}

/** Applies the plan in order; `say` gets one line per object applied and per wait. */
export async function applyKnativePlan(client: KubeClient, p: KnativePlan, a: ApplyOptions, say: (line: string) => void): Promise<void> {
  const deadline = Date.now() + a.timeoutMs;
  const mapper = new RestMapper(client);
  const applied = (what: string) => say(`${what} applied`);
  if (p.serving) {
    await applyManifests(client, p.serving.crds, applied, mapper);
    // The core holds objects of the CRDs' kinds (caching.internal.knative.dev Images): not before they are served.
    await waitUntilReady(client, crdsEstablished(p.serving.crds), deadline, say);
    await applyManifests(client, p.serving.core, applied, mapper);
    // Serving's webhooks admit config-network (and Sluice's Ingresses later): they must answer first.
    if (a.wait) {
      await waitUntilReady(client, servingReadiness(p.serving.core), deadline, say);
      say(`Knative Serving ${p.serving.version ?? ''} is ready`.replace('  ', ' '));
    }
  }
  await applyManifests(client, p.sluice, applied, mapper);
  await setIngressClass(client, p.configNetwork);
  say(`ConfigMap ${SERVING_NAMESPACE}/config-network: ingress-class set to ${(p.configNetwork.data as Record<string, string>)['ingress-class']}`);
}

/** A merge patch of the one key (other keys are Serving's and the operator's); created when config-network is missing. */
async function setIngressClass(client: KubeClient, cm: Manifest): Promise<void> {
  try {
    await client.mergePatch(CONFIG_NETWORK_PATH, { data: cm.data });
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 404) await client.apply(CONFIG_NETWORK_PATH, cm);
    else throw new SluiceError('SLUICE_ERR_KUBERNETES', `patching ConfigMap ${SERVING_NAMESPACE}/config-network: ${(err as Error).message}`, { cause: err });
  }
}
