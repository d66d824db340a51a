// Kubeconfig files read into typed entries, and several merged as kubectl merges $KUBECONFIG: the
// first file to name a cluster, user or context (or to set current-context) wins. Pure but for the
// caller's read of the text; every error names the file and the field.
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import { SluiceError } from '../errors.ts';

export interface ClusterEntry {
  readonly server: string;
  /** PEM, already decoded from certificate-authority-data */
  readonly caData?: string;
  /** absolute path of certificate-authority */
  readonly caFile?: string;
  readonly insecureSkipTlsVerify: boolean;
  readonly tlsServerName?: string;
  readonly proxyUrl?: string;
}

/** client.authentication.k8s.io exec credential plugin (kubectl's `users[].user.exec`). */
export interface ExecConfig {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: readonly { readonly name: string; readonly value: string }[];
  readonly apiVersion: string;
  readonly provideClusterInfo: boolean;
  /** the file and user it came from, for error messages */
  readonly where: string;
}

export interface UserEntry {
  readonly token?: string;
  /** absolute path of tokenFile / token-file, re-read as it rotates */
  readonly tokenFile?: string;
  readonly certData?: string;
  readonly certFile?: string;
  readonly keyData?: string;
  readonly keyFile?: string;
  readonly username?: string;
  readonly password?: string;
  readonly impersonate?: string;
  readonly exec?: ExecConfig;
}

export interface ContextEntry {
  readonly cluster: string;
  readonly user: string;
  readonly namespace?: string;
}

/** One file's (or a merge's) entries by name, each with the file it came from. */
export interface Kubeconfig {
  readonly clusters: ReadonlyMap<string, { readonly entry: ClusterEntry; readonly file: string }>;
  readonly users: ReadonlyMap<string, { readonly entry: UserEntry; readonly file: string }>;
  readonly contexts: ReadonlyMap<string, { readonly entry: ContextEntry; readonly file: string }>;
  readonly currentContext?: { readonly name: string; readonly file: string };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

class Fields {
  constructor(readonly file: string) {}
  fail(field: string, what: string): never {
    throw new SluiceError('SLUICE_ERR_KUBERNETES', `${this.file}: ${field}: ${what}`);
  }
  str(o: Obj, key: string, field: string): string | undefined {
    const v = o[key];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') this.fail(`${field}.${key}`, `must be a string, not ${JSON.stringify(v)}`);
    return v;
  }
  path(o: Obj, key: string, field: string): string | undefined {
    const p = this.str(o, key, field);
    return p === undefined || isAbsolute(p) ? p : join(dirname(this.file), p);
  }
  base64(o: Obj, key: string, field: string): string | undefined {
    const v = this.str(o, key, field);
    if (v === undefined) return undefined;
    if (!/^[A-Za-z0-9+/=\s]*$/.test(v)) this.fail(`${field}.${key}`, 'is not base64');
    return Buffer.from(v, 'base64').toString('utf8');
  }
  list(o: Obj, key: string): Obj[] {
    const v = o[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(key, 'must be a list');
    return v.map((e, i) => (isObj(e) ? e : this.fail(`${key}[${i}]`, 'must be a mapping')));
  }
  /** `items[i].name` and its `inner` mapping (cluster, user, context) */
  named(e: Obj, key: string, i: number, inner: string): [string, Obj] {
    const name = this.str(e, 'name', `${key}[${i}]`) ?? this.fail(`${key}[${i}].name`, 'is missing');
    const body = e[inner] ?? {};
    if (!isObj(body)) this.fail(`${key}[${i}].${inner}`, 'must be a mapping');
    return [name, body];
  }
}

function cluster(f: Fields, c: Obj, at: string): ClusterEntry {
  const server = f.str(c, 'server', at) ?? f.fail(`${at}.server`, 'is missing');
  try {
    const u = new URL(server);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('not http(s)');
  } catch {
    f.fail(`${at}.server`, `is not an http(s) URL: "${server}"`);
  }
  const proxyUrl = f.str(c, 'proxy-url', at);
  if (proxyUrl !== undefined) {
    let ok = false;
    try {
      ok = new URL(proxyUrl).protocol === 'http:' && server.startsWith('https:');
    } catch {}
    if (!ok) f.fail(`${at}.proxy-url`, `"${proxyUrl}": only an http:// proxy (CONNECT) to an https:// server is supported`);
  }
  const skip = c['insecure-skip-tls-verify'];
  if (skip !== undefined && typeof skip !== 'boolean') f.fail(`${at}.insecure-skip-tls-verify`, 'must be true or false');
  return {
    server: server.replace(/\/$/, ''),
    caData: f.base64(c, 'certificate-authority-data', at),
    caFile: f.path(c, 'certificate-authority', at),
    insecureSkipTlsVerify: skip === true,
    tlsServerName: f.str(c, 'tls-server-name', at),
    proxyUrl,
  };
}

function exec(f: Fields, e: Obj, at: string, user: string): ExecConfig {
  const command = f.str(e, 'command', at) ?? f.fail(`${at}.command`, 'is missing');
  const apiVersion = f.str(e, 'apiVersion', at) ?? f.fail(`${at}.apiVersion`, 'is missing');
  if (apiVersion !== 'client.authentication.k8s.io/v1' && apiVersion !== 'client.authentication.k8s.io/v1beta1') {
    f.fail(`${at}.apiVersion`, `"${apiVersion}" is not client.authentication.k8s.io/v1 or v1beta1`);
  }
  const args = e.args ?? [];
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) f.fail(`${at}.args`, 'must be a list of strings');
  const env = f.list(e, 'env').map((v, i) => ({
    name: f.str(v, 'name', `${at}.env[${i}]`) ?? f.fail(`${at}.env[${i}].name`, 'is missing'),
    value: f.str(v, 'value', `${at}.env[${i}]`) ?? '',
  }));
  return { command, args: args as string[], env, apiVersion, provideClusterInfo: e.provideClusterInfo === true, where: `${f.file} (user "${user}")` };
}

function user(f: Fields, u: Obj, at: string, name: string): UserEntry {
  if (u['auth-provider'] !== undefined) {
    f.fail(`${at}.auth-provider`, 'auth providers were removed from kubectl (1.26); use an exec credential plugin (users[].user.exec)');
  }
  const e = u.exec;
  if (e !== undefined && !isObj(e)) f.fail(`${at}.exec`, 'must be a mapping');
  return {
    token: f.str(u, 'token', at),
    tokenFile: f.path(u, 'tokenFile', at) ?? f.path(u, 'token-file', at),
    certData: f.base64(u, 'client-certificate-data', at),
    certFile: f.path(u, 'client-certificate', at),
    keyData: f.base64(u, 'client-key-data', at),
    keyFile: f.path(u, 'client-key', at),
    username: f.str(u, 'username', at),
    password: f.str(u, 'password', at),
    impersonate: f.str(u, 'as', at),
    exec: e === undefined ? undefined : exec(f, e, `${at}.exec`, name),
  };
}

/** One kubeconfig file's text (YAML or JSON) read into entries; `file` is its path, for paths and errors. */
export function parseKubeconfig(text: string, file: string): Kubeconfig {
  const f = new Fields(file);
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new SluiceError('SLUICE_ERR_KUBERNETES', `${file}: not YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) doc = {};
  if (!isObj(doc)) return f.fail('(top level)', 'must be a mapping');
  const clusters = new Map<string, { entry: ClusterEntry; file: string }>();
  const users = new Map<string, { entry: UserEntry; file: string }>();
  const contexts = new Map<string, { entry: ContextEntry; file: string }>();
  f.list(doc, 'clusters').forEach((e, i) => {
    const [name, body] = f.named(e, 'clusters', i, 'cluster');
    if (!clusters.has(name)) clusters.set(name, { entry: cluster(f, body, `clusters[${i}].cluster`), file });
  });
  f.list(doc, 'users').forEach((e, i) => {
    const [name, body] = f.named(e, 'users', i, 'user');
    if (!users.has(name)) users.set(name, { entry: user(f, body, `users[${i}].user`, name), file });
  });
  f.list(doc, 'contexts').forEach((e, i) => {
    const [name, body] = f.named(e, 'contexts', i, 'context');
    const at = `contexts[${i}].context`;
    const entry = { cluster: f.str(body, 'cluster', at) ?? f.fail(`${at}.cluster`, 'is missing'), user: f.str(body, 'user', at) ?? '', namespace: f.str(body, 'namespace', at) };
    if (!contexts.has(name)) contexts.set(name, { entry, file });
  });
  const current = f.str(doc, 'current-context', '(top level)');
  return { clusters, users, contexts, currentContext: current === undefined ? undefined : { name: current, file } };
}

/** Files merged as kubectl merges $KUBECONFIG: the first to set a name (or current-context) wins. */
export function mergeKubeconfigs(files: readonly Kubeconfig[]): Kubeconfig {
  const first = <V>(pick: (k: Kubeconfig) => ReadonlyMap<string, V>): Map<string, V> => {
    const out = new Map<string, V>();
    for (const k of files) for (const [name, v] of pick(k)) if (!out.has(name)) out.set(name, v);
    return out;
  };
  return {
    clusters: first((k) => k.clusters),
    users: first((k) => k.users),
    contexts: first((k) => k.contexts),
    currentContext: files.find((k) => k.currentContext)?.currentContext,
  };
}

/** What one context selects: the cluster and the user, resolved. */
export interface Selected {
  readonly context: string;
  readonly cluster: ClusterEntry;
  readonly user: UserEntry;
  readonly namespace?: string;
}

/** The current context's cluster and user (`context` overrides current-context), or an error naming the file. */
export function selectContext(k: Kubeconfig, where: string, context?: string): Selected {
  const name = context ?? k.currentContext?.name;
  if (!name) throw new SluiceError('SLUICE_ERR_KUBERNETES', `${where}: current-context is not set`);
  const ctx = k.contexts.get(name);
  const from = context ? `--kube-context "${name}"` : `current-context "${name}" (${k.currentContext!.file})`;
  if (!ctx) throw new SluiceError('SLUICE_ERR_KUBERNETES', `${where}: ${from} names no context in contexts`);
  const c = k.clusters.get(ctx.entry.cluster);
  if (!c) throw new SluiceError('SLUICE_ERR_KUBERNETES', `${ctx.file}: context "${name}" names cluster "${ctx.entry.cluster}", which no file defines`);
  // A context without a user talks to the cluster anonymously; one naming a missing user is an error, as in kubectl.
  const u = ctx.entry.user ? k.users.get(ctx.entry.user) : undefined;
  if (ctx.entry.user && !u) throw new SluiceError('SLUICE_ERR_KUBERNETES', `${ctx.file}: context "${name}" names user "${ctx.entry.user}", which no file defines`);
  return { context: name, cluster: c.entry, user: u?.entry ?? {}, namespace: ctx.entry.namespace };
}
