// Where Kubernetes credentials come from, for every command that talks to a cluster (`serve
// --kubernetes`, `install --apply`): the kubeconfig named by --kubeconfig, else the files in $KUBECONFIG,
// else ~/.kube/config, else the pod's service account, as kubectl looks. Nothing found is one clear
// error, never a guessed server address.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { SluiceError } from '../errors.ts';

/** The service account files a pod gets (the same root @kubernetes/client-node reads). */
const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export type KubeconfigOrigin =
  | { readonly kind: 'files'; readonly paths: readonly string[]; readonly from: '--kubeconfig' | '$KUBECONFIG' | '~/.kube/config' }
  | { readonly kind: 'in-cluster' };

export interface LookupEnv {
  readonly env?: NodeJS.ProcessEnv;
  readonly home?: string;
  readonly exists?: (path: string) => boolean;
}

/** Where the credentials are, or undefined when there are none (pure but for the existence checks). */
export function findKubeconfig(explicit: string | undefined, o: LookupEnv = {}): KubeconfigOrigin | undefined {
  const env = o.env ?? process.env;
  const exists = o.exists ?? existsSync;
  if (explicit) return { kind: 'files', paths: [explicit], from: '--kubeconfig' };
  // As kubectl: a set $KUBECONFIG is the whole list (missing entries skipped); ~/.kube/config is not consulted.
  if (env.KUBECONFIG) {
    const paths = env.KUBECONFIG.split(delimiter).filter((p) => p && exists(p));
    return paths.length ? { kind: 'files', paths, from: '$KUBECONFIG' } : undefined;
  }
  const home = join(o.home ?? homedir(), '.kube', 'config');
  if (exists(home)) return { kind: 'files', paths: [home], from: '~/.kube/config' };
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && exists(SERVICE_ACCOUNT_TOKEN)) return { kind: 'in-cluster' };
  return undefined;
}

/** Loads the credentials findKubeconfig points at; every failure is a SluiceError naming the source. */
export function loadKubeConfig(explicit: string | undefined, o: LookupEnv = {}): KubeConfig {
  const origin = findKubeconfig(explicit, o);
  if (!origin) {
    const env = o.env ?? process.env;
    const tried = env.KUBECONFIG ? `$KUBECONFIG (${env.KUBECONFIG}) names no existing file` : 'no ~/.kube/config and not running in a pod';
    throw new SluiceError('SLUICE_ERR_KUBERNETES', `no Kubernetes credentials found (${tried}): pass --kubeconfig FILE, set KUBECONFIG, or create ~/.kube/config`);
  }
  const kc = new KubeConfig();
  const where = origin.kind === 'in-cluster' ? 'the in-cluster service account' : `${origin.paths.join(delimiter)} (${origin.from})`;
  try {
    if (origin.kind === 'in-cluster') kc.loadFromCluster();
    else {
      kc.loadFromFile(origin.paths[0]!);
      for (const p of origin.paths.slice(1)) {
        const more = new KubeConfig();
        more.loadFromFile(p);
        kc.mergeConfig(more, true);
      }
    }
  } catch (err) {
    throw new SluiceError('SLUICE_ERR_KUBERNETES', `cannot load Kubernetes credentials from ${where}: ${(err as Error).message}`, { cause: err });
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new SluiceError('SLUICE_ERR_KUBERNETES', `no current cluster in ${where}`);
  try {
    new URL(cluster.server);
  } catch {
    throw new SluiceError('SLUICE_ERR_KUBERNETES', `cluster "${cluster.name}" in ${where} has no usable server address: "${cluster.server}"`);
  }
  return kc;
}
