// `uninstall knative`: the reverse of the install. First config-network's `ingress-class`, only while it
// still names Sluice (its other keys are never touched); then Sluice's objects in reverse order; then
// Knative Serving, only when Sluice installed it (its record in knative-serving lists what was applied),
// in reverse order, CRDs last, each only if it carries Serving's own label.
import { SluiceError } from '../errors.ts';
import { getIfExists, KubeApiError, type KubeClient, type KubeObject } from './client.ts';
import { deleteManifests, objectName } from './apply.ts';
import { sluiceManifests, type InstallOptions, type Manifest, uninstalled } from './install.ts';
import { CONFIG_NETWORK_PATH } from './install-knative.ts';
import { RestMapper } from './rest-mapper.ts';
import { SERVING_NAMESPACE } from './serving/detect.ts';
import { RECORD_NAME, RECORD_PATH, recordedObjects } from './serving/record.ts';

export interface UninstallOptions {
  /** leave a Serving that Sluice installed in place (deleting its CRDs deletes every Knative Service) */
  readonly keepServing: boolean;
}

export async function uninstallKnative(client: KubeClient, o: InstallOptions, u: UninstallOptions, say: (line: string) => void): Promise<void> {
  // Read before anything goes: the record lives in the namespace that goes last.
  const record = await getIfExists(client, RECORD_PATH);
  await unsetIngressClass(client, o.ingressClass, say);
  const mapper = new RestMapper(client);
  const line = (what: string, gone: boolean) => say(`${what} ${gone ? 'was not there' : 'deleted'}`);
  await deleteManifests(client, uninstalled(sluiceManifests(o)).reverse(), line, mapper);
  if (!record) return say('Knative Serving was not installed by Sluice: left in place');
  if (u.keepServing) return say('Knative Serving left in place (--keep-serving)');
  await deleteServing(client, recordedObjects(record.data as Record<string, string> | undefined).reverse(), mapper, say);
}

const SERVING_LABEL = ['app.kubernetes.io/name', 'knative-serving'] as const;

/**
 * Deletes each recorded object that is Serving's by its own label (or is Sluice's record): whoever can
 * write ConfigMaps in knative-serving can edit the record, and must not thereby make an uninstall
 * delete anything else.
 */
async function deleteServing(client: KubeClient, objects: readonly Manifest[], mapper: RestMapper, say: (line: string) => void): Promise<void> {
  for (const m of objects) {
    const what = objectName(m);
    let live: KubeObject | undefined;
    try {
      // A kind no longer served (its CRD already deleted) maps to a 404: nothing left of it.
      live = await getIfExists(client, await mapper.path(m));
    } catch (err) {
      if (!(err instanceof KubeApiError && err.status === 404)) throw new SluiceError('SLUICE_ERR_KUBERNETES', `reading ${what}: ${(err as Error).message}`, { cause: err });
    }
    if (!live) {
      say(`${what} was not there`);
      continue;
    }
    const ours = m.kind === 'ConfigMap' && m.metadata.name === RECORD_NAME && m.metadata.namespace === SERVING_NAMESPACE;
    if (!ours && live.metadata?.labels?.[SERVING_LABEL[0]] !== SERVING_LABEL[1]) {
      say(`${what} left: not labelled ${SERVING_LABEL[0]}=${SERVING_LABEL[1]}`);
      continue;
    }
    await deleteManifests(client, [m], (w, gone) => say(`${w} ${gone ? 'was not there' : 'deleted'}`), mapper);
  }
}

/** Removes `ingress-class` when it is Sluice's, with the read's resourceVersion so a concurrent change wins. */
async function unsetIngressClass(client: KubeClient, ingressClass: string, say: (line: string) => void): Promise<void> {
  const cm = await getIfExists(client, CONFIG_NETWORK_PATH);
  const current = (cm?.data as Record<string, string> | undefined)?.['ingress-class'];
  if (current !== ingressClass) return say(`ConfigMap knative-serving/config-network: ingress-class ${current === undefined ? 'not set' : `is ${current}`}, left alone`);
  try {
    await client.mergePatch(CONFIG_NETWORK_PATH, { metadata: { resourceVersion: cm!.metadata?.resourceVersion }, data: { 'ingress-class': null } });
  } catch (err) {
    throw new SluiceError('SLUICE_ERR_KUBERNETES', `removing ingress-class from ConfigMap knative-serving/config-network: ${(err as Error).message}; nothing was deleted`, { cause: err });
  }
  say('ConfigMap knative-serving/config-network: ingress-class removed');
}

