// Where Kubernetes credentials come from, for every command that talks to a cluster (`serve
// --kubernetes`, `install --apply`): the kubeconfig named by --kubeconfig, else the files in $KUBECONFIG,
// else ~/.kube/config, else the pod's service account, as kubectl looks. Nothing found is one clear
// error, never a guessed server address.
import { existsSync, readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { SluiceError } from '../errors.ts';
import { type CredentialOptions, KubeCredentials } from './kube-credentials.ts';
import { mergeKubeconfigs, parseKubeconfig, selectContext } from './kubeconfig-file.ts';

/** The service account files a pod gets: token (rotated by the kubelet), ca.crt, namespace. */
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export type KubeconfigOrigin =
  | { readonly kind: 'files'; readonly paths: readonly string[]; readonly from: '--kubeconfig' | '$KUBECONFIG' | '~/.kube/config' }
  | { readonly kind: 'in-cluster' };

export interface LookupEnv {
  readonly env?: NodeJS.ProcessEnv;
  readonly home?: string;
  readonly exists?: (path: string) => boolean;
  /** where the service account's files are (tests); SERVICE_ACCOUNT_DIR otherwise */
  readonly serviceAccountDir?: string;
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
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && exists(join(o.serviceAccountDir ?? SERVICE_ACCOUNT_DIR, 'token'))) return { kind: 'in-cluster' };
  return undefined;
}

/** Loads the credentials findKubeconfig points at; every failure is a SluiceError naming the file and field. */
export function loadKubeConfig(explicit: string | undefined, o: LookupEnv & CredentialOptions & { context?: string } = {}): KubeCredentials {
  const origin = findKubeconfig(explicit, o);
  if (!origin) {
    const env = o.env ?? process.env;
    const tried = env.KUBECONFIG ? `$KUBECONFIG (${env.KUBECONFIG}) names no existing file` : 'no ~/.kube/config and not running in a pod';
    throw new SluiceError('SLUICE_ERR_KUBERNETES', `no Kubernetes credentials found (${tried}): pass --kubeconfig FILE, set KUBECONFIG, or create ~/.kube/config`);
  }
  if (origin.kind === 'in-cluster') return inCluster(o);
  const where = `${origin.paths.join(delimiter)} (${origin.from})`;
  const files = origin.paths.map((p) => {
    let text: string;
    try {
      text = readFileSync(p, 'utf8');
    } catch (err) {
      throw new SluiceError('SLUICE_ERR_KUBERNETES', `cannot read the kubeconfig ${p} (${origin.from}): ${(err as Error).message}`, { cause: err });
    }
    return parseKubeconfig(text, p);
  });
  const sel = selectContext(mergeKubeconfigs(files), where, o.context);
  return new KubeCredentials(sel.cluster, sel.user, `${where}, context "${sel.context}"`, { ...o, namespace: sel.namespace });
}

/** The pod's service account, as client-go's InClusterConfig: https to the Service's host and port, its CA and (rotating) token. */
function inCluster(o: LookupEnv & CredentialOptions): KubeCredentials {
  const env = o.env ?? process.env;
  const host = env.KUBERNETES_SERVICE_HOST!;
  const server = `https://${isIPv6(host) ? `[${host}]` : host}:${env.KUBERNETES_SERVICE_PORT}`;
  const dir = o.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  let namespace: string | undefined;
  try {
    namespace = readFileSync(join(dir, 'namespace'), 'utf8').trim() || undefined;
  } catch {
    namespace = undefined;
  }
  const where = `the in-cluster service account (${dir}, ${server})`;
  return new KubeCredentials({ server, caFile: join(dir, 'ca.crt'), insecureSkipTlsVerify: false }, { tokenFile: join(dir, 'token') }, where, { ...o, namespace });
}
