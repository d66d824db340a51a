// A real kube-apiserver (built by scripts/build-kube-apiserver.sh) over a real etcd, on loopback ports
// picked free, for the tests in test/k8s-real/. TLS is a throwaway CA made with openssl; the admin
// is a bearer token in group system:masters. Objects are stored as JSON (--storage-media-type) so a
// test can write what the API server refuses to accept, EndpointSlices with loopback addresses, straight
// into etcd. Every wait is bounded and stop() kills both processes and removes the temp dir.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants, createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { promisify } from 'node:util';
import { makeFakeTls, kubeconfigText } from './fake-apiserver-tls.ts';

const run = promisify(execFile);

/** Where the binaries are; `missing` says what to build or install when one is not there. */
export interface RealClusterBinaries {
  readonly apiserver?: string;
  readonly etcd?: string;
  readonly etcdctl?: string;
  readonly missing?: string;
}

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir && executable(join(dir, name))) return join(dir, name);
  return undefined;
}

export function findBinaries(): RealClusterBinaries {
  const apiserver = [process.env.KUBE_APISERVER, '/opt/kube/bin/kube-apiserver'].find((p): p is string => !!p && executable(p));
  const etcd = onPath('etcd');
  const etcdctl = onPath('etcdctl');
  const missing: string[] = [];
  if (!apiserver) missing.push('kube-apiserver (set $KUBE_APISERVER or build /opt/kube/bin/kube-apiserver with scripts/build-kube-apiserver.sh MICROSHIFT_SRC)');
  if (!etcd || !etcdctl) missing.push('etcd and etcdctl on PATH (apt-get install etcd-server etcd-client)');
  return { apiserver, etcd, etcdctl, missing: missing.length ? `real API server tests skipped: no ${missing.join('; no ')}` : undefined };
}

/** A free loopback port (closed again at once; the tiny race is acceptable for tests). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

async function until<T>(what: string, boundMs: number, check: () => Promise<T | undefined>, log: () => string): Promise<T> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what} not ready within ${boundMs} ms; log tail:\n${log().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface AuditEvent {
  readonly stage: string;
  readonly verb: string;
  readonly requestURI: string;
  readonly userAgent?: string;
  readonly user: { readonly username: string };
  readonly objectRef?: { readonly resource?: string; readonly subresource?: string; readonly namespace?: string; readonly name?: string };
  readonly responseStatus?: { readonly code?: number };
}

export interface RealApiServer {
  /** https://127.0.0.1:PORT */
  readonly server: string;
  readonly kubeconfigPath: string;
  /** the CA that signed the serving certificate (PEM) */
  readonly caCert: string;
  readonly dir: string;
  /** ms from spawning etcd to /readyz answering ok */
  readonly startupMs: number;
  /** an authenticated request as the admin; throws on a non-2xx answer unless `allow` lists the status */
  request<T = unknown>(method: string, path: string, body?: unknown, contentType?: string, allow?: number[]): Promise<{ status: number; body: T }>;
  /** writes an object straight into etcd, as JSON, under /registry/RESOURCE/NS/NAME */
  etcdPut(resource: string, namespace: string, name: string, obj: Record<string, unknown>): Promise<void>;
  etcdDelete(resource: string, namespace: string, name: string): Promise<void>;
  /** stops kube-apiserver, runs `whileDown` (etcd still up), and starts it again on the same port */
  restartApiServer(whileDown?: () => Promise<void>): Promise<void>;
  /** compacts etcd's history up to its current revision, so older resourceVersions get 410 Gone */
  etcdCompact(): Promise<void>;
  /** the audit log so far (level Metadata: every request, no bodies) */
  auditEvents(): AuditEvent[];
  /** watches `path` from `resourceVersion`, calling `onEvent` per event, until abort() */
  watch(path: string, resourceVersion: string, onEvent: (type: string, object: Record<string, unknown>) => void): { abort(): void };
  stop(): Promise<void>;
}

function killBounded(child: ChildProcess, boundMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = once(child, 'exit').then(() => undefined);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), boundMs);
  return exited.finally(() => clearTimeout(timer));
}

/** Starts etcd and kube-apiserver; rejects (having cleaned up) if either is not ready in `boundMs`. */
export async function startRealApiServer(bins: RealClusterBinaries, boundMs = 90_000): Promise<RealApiServer> {
  if (bins.missing || !bins.apiserver || !bins.etcd || !bins.etcdctl) throw new Error(bins.missing ?? 'binaries missing');
  const t0 = Date.now();
  const tls = makeFakeTls();
  const dir = tls.dir;
  const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const etcdUrl = `http://127.0.0.1:${etcdPort}`;
  const token = randomBytes(16).toString('hex');
  writeFileSync(join(dir, 'tokens.csv'), `${token},admin,admin-uid,"system:masters"\n`);
  await run('openssl', ['genrsa', '-out', join(dir, 'sa.key'), '2048']);
  await run('openssl', ['rsa', '-in', join(dir, 'sa.key'), '-pubout', '-out', join(dir, 'sa.pub')]);
  writeFileSync(join(dir, 'server.crt'), tls.serverCert);
  writeFileSync(join(dir, 'server.key'), tls.serverKey);
  const kubeconfigPath = join(dir, 'kubeconfig');
  const server = `https://127.0.0.1:${apiPort}`;
  writeFileSync(kubeconfigPath, kubeconfigText(server, tls.caCert, token));
  // Every request's user, verb and User-Agent, for tests that check who wrote what.
  writeFileSync(join(dir, 'audit-policy.yaml'), 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Metadata\n');

  const children: ChildProcess[] = [];
  const logOf = (name: string) => join(dir, `${name}.log`);
  const startLogged = (name: string, cmd: string, args: string[]): ChildProcess => {
    const out = createWriteStream(logOf(name), { flags: 'a' });
    const child = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
    children.push(child);
    return child;
  };
  const tail = (name: string) => () => {
    try {
      return readFileSync(logOf(name), 'utf8');
    } catch {
      return '';
    }
  };
  const stop = async () => {
    await Promise.all(children.reverse().map((c) => killBounded(c)));
    tls.cleanup();
  };

  try {
    startLogged('etcd', bins.etcd, [
      '--name', 'test', '--data-dir', join(dir, 'etcd'),
      '--listen-client-urls', etcdUrl, '--advertise-client-urls', etcdUrl,
      '--listen-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
      '--initial-cluster', `test=http://127.0.0.1:${peerPort}`, '--logger', 'zap', '--log-level', 'warn',
    ]);
    await until('etcd', 20_000, async () => ((await fetch(`${etcdUrl}/health`)).ok ? true : undefined), tail('etcd'));
    const apiArgs = [
      `--etcd-servers=${etcdUrl}`, '--storage-media-type=application/json',
      '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${apiPort}`,
      `--tls-cert-file=${join(dir, 'server.crt')}`, `--tls-private-key-file=${join(dir, 'server.key')}`, `--cert-dir=${dir}`,
      `--token-auth-file=${join(dir, 'tokens.csv')}`, '--authorization-mode=RBAC',
      `--service-account-key-file=${join(dir, 'sa.pub')}`, `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      '--service-cluster-ip-range=10.96.0.0/16',
      // Nothing runs behind the `kubernetes` Service here, and its Endpoints would name a loopback address.
      '--endpoint-reconciler-type=none',
      `--audit-policy-file=${join(dir, 'audit-policy.yaml')}`, `--audit-log-path=${join(dir, 'audit.log')}`, '--audit-log-mode=blocking',
      '--profiling=false', '--v=1',
    ];
    const api = makeApi(server, tls.caCert, token, bins.etcdctl, etcdUrl);
    let apiserver = startLogged('kube-apiserver', bins.apiserver, apiArgs);
    const ready = (bound: number) => until('kube-apiserver', bound, async () => ((await api.request('GET', '/readyz', undefined, undefined, [500, 503])).status === 200 ? true : undefined), tail('kube-apiserver'));
    await ready(boundMs - (Date.now() - t0));
    const restartApiServer = async (whileDown: () => Promise<void> = async () => {}) => {
      await killBounded(apiserver);
      await whileDown();
      apiserver = startLogged('kube-apiserver', bins.apiserver!, apiArgs);
      await ready(60_000);
    };
    const auditEvents = (): AuditEvent[] => {
      let text = '';
      try {
        text = readFileSync(join(dir, 'audit.log'), 'utf8');
      } catch { /* nothing logged yet */ }
      return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEvent);
    };
    return { server, kubeconfigPath, caCert: tls.caCert, dir, startupMs: Date.now() - t0, ...api, auditEvents, restartApiServer, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function makeApi(server: string, caCert: string, token: string, etcdctl: string, etcdUrl: string): Pick<RealApiServer, 'request' | 'etcdPut' | 'etcdDelete' | 'etcdCompact' | 'watch'> {
  // undici's fetch takes no CA per request; node:https does.
  const request = async <T>(method: string, path: string, body?: unknown, contentType = 'application/json', allow: number[] = []) => {
    const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    return new Promise<{ status: number; body: T }>((resolve, reject) => {
      const req = httpsRequest(`${server}${path}`, {
        method, ca: caCert, timeout: 15_000,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(payload ? { 'content-type': contentType, 'content-length': payload.length } : {}) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          const status = res.statusCode ?? 0;
          let parsed: unknown = text;
          try { parsed = JSON.parse(text); } catch { /* plain text (readyz) */ }
          if ((status >= 200 && status < 300) || allow.includes(status)) resolve({ status, body: parsed as T });
          else reject(new Error(`${method} ${path}: ${status} ${text.slice(0, 500)}`));
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 15 s`)));
      req.on('error', reject);
      req.end(payload);
    });
  };
  const etcd = (args: string[], input?: string) =>
    new Promise<void>((resolve, reject) => {
      const child = execFile(etcdctl, [`--endpoints=${etcdUrl}`, ...args], { env: { ...process.env, ETCDCTL_API: '3' }, timeout: 10_000 }, (err) => (err ? reject(err) : resolve()));
      if (input !== undefined) child.stdin!.end(input);
    });
  const watch = (path: string, resourceVersion: string, onEvent: (type: string, object: Record<string, unknown>) => void) => {
    const req = httpsRequest(`${server}${path}?watch=1&resourceVersion=${resourceVersion}`, { ca: caCert, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let buf = '';
      res.on('data', (d: Buffer) => {
        buf += d.toString();
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const e = JSON.parse(buf.slice(0, nl)) as { type: string; object: Record<string, unknown> };
          buf = buf.slice(nl + 1);
          onEvent(e.type, e.object);
        }
      });
      res.on('error', () => {});
    });
    req.on('error', () => {});
    req.end();
    return { abort: () => req.destroy() };
  };
  return {
    request,
    watch,
    // `etcdctl put KEY` reads the value from stdin when it is not an argument: no size or quoting limits.
    etcdPut: (resource, ns, name, obj) => {
      const meta = { uid: randomUUID(), creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), ...(obj.metadata as object), name, namespace: ns };
      return etcd(['put', `/registry/${resource}/${ns}/${name}`], JSON.stringify({ ...obj, metadata: meta }));
    },
    etcdDelete: (resource, ns, name) => etcd(['del', `/registry/${resource}/${ns}/${name}`]),
    etcdCompact: async () => {
      const { stdout } = await run(etcdctl, [`--endpoints=${etcdUrl}`, 'endpoint', 'status', '-w', 'json'], { env: { ...process.env, ETCDCTL_API: '3' }, timeout: 10_000 });
      const [status] = JSON.parse(stdout) as Array<{ Status: { header: { revision: number } } }>;
      await etcd(['compact', String(status!.Status.header.revision)]);
    },
  };
}
