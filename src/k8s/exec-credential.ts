// Exec credential plugins (client.authentication.k8s.io v1 and v1beta1 ExecCredential), as EKS's
// `aws eks get-token` and GKE's `gke-gcloud-auth-plugin` are used: run the command, read an
// ExecCredential from its stdout, keep it until its expirationTimestamp (or until the API server
// answers 401), and run it again only then. Concurrent requests share one run.
import { spawn } from 'node:child_process';
import { SluiceError } from '../errors.ts';
import type { ExecConfig } from './kubeconfig-file.ts';

export interface ExecResult {
  readonly token?: string;
  readonly cert?: string;
  readonly key?: string;
  /** ms since the epoch; undefined: valid until the server refuses it */
  readonly expiresAt?: number;
}

const RUN_TIMEOUT_MS = 60_000;
/** refresh this long before the stated expiry, so no request is sent with a token about to lapse */
const EXPIRY_SLACK_MS = 10_000;
const MAX_OUTPUT = 1 << 20;

/** The ExecCredential a plugin printed, checked; errors name the plugin's file and user. */
export function parseExecCredential(stdout: string, exec: ExecConfig): ExecResult {
  const fail = (what: string): never => {
    throw new SluiceError('SLUICE_ERR_KUBERNETES', `exec credential plugin "${exec.command}" of ${exec.where}: ${what}`);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    fail('did not print a JSON ExecCredential');
  }
  const d = doc as { kind?: unknown; apiVersion?: unknown; status?: Record<string, unknown> };
  if (d?.kind !== 'ExecCredential') fail(`printed kind ${JSON.stringify(d?.kind)}, not ExecCredential`);
  if (d.apiVersion !== exec.apiVersion) fail(`printed apiVersion ${JSON.stringify(d.apiVersion)}, not the ${exec.apiVersion} asked for`);
  const s = d.status;
  if (typeof s !== 'object' || s === null) fail('printed no status');
  const str = (k: string): string | undefined => (typeof s![k] === 'string' && s![k] !== '' ? (s![k] as string) : undefined);
  const token = str('token');
  const cert = str('clientCertificateData');
  const key = str('clientKeyData');
  if (!token && !(cert && key)) fail('status has neither a token nor clientCertificateData and clientKeyData');
  if ((cert === undefined) !== (key === undefined)) fail('status has only one of clientCertificateData and clientKeyData');
  const exp = str('expirationTimestamp');
  const expiresAt = exp === undefined ? undefined : Date.parse(exp);
  if (expiresAt !== undefined && Number.isNaN(expiresAt)) fail(`status.expirationTimestamp "${exp}" is not a time`);
  return { token, cert, key, expiresAt };
}

/** Runs the plugin once: KUBERNETES_EXEC_INFO tells it the version asked for and that nobody is at a terminal. */
function run(exec: ExecConfig, cluster: { server: string; caData?: string }): Promise<ExecResult> {
  const info: Record<string, unknown> = { apiVersion: exec.apiVersion, kind: 'ExecCredential', spec: { interactive: false } };
  if (exec.provideClusterInfo) (info.spec as Record<string, unknown>).cluster = { server: cluster.server, 'certificate-authority-data': cluster.caData && Buffer.from(cluster.caData).toString('base64') };
  const env: NodeJS.ProcessEnv = { ...process.env, KUBERNETES_EXEC_INFO: JSON.stringify(info) };
  for (const v of exec.env) env[v.name] = v.value;
  const where = `exec credential plugin "${exec.command}" of ${exec.where}`;
  return new Promise((resolve, reject) => {
    const child = spawn(exec.command, [...exec.args], { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: RUN_TIMEOUT_MS });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out.length < MAX_OUTPUT ? (out += d) : undefined));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err.length < MAX_OUTPUT ? (err += d) : undefined));
    child.on('error', (e) => reject(new SluiceError('SLUICE_ERR_KUBERNETES', `${where}: cannot run it: ${e.message}`, { cause: e })));
    child.on('close', (code, signal) => {
      if (code !== 0) return reject(new SluiceError('SLUICE_ERR_KUBERNETES', `${where}: ${signal ? `killed by ${signal}` : `exited with ${code}`}${err.trim() ? `: ${err.trim().slice(0, 500)}` : ''}`));
      try {
        resolve(parseExecCredential(out, exec));
      } catch (e) {
        reject(e);
      }
    });
  });
}

export class ExecCredentialSource {
  #cached: ExecResult | undefined;
  /** when to run the plugin again: a little before expiry (half its life, for a short-lived one) */
  #refreshAt = 0;
  #running: Promise<ExecResult> | undefined;
  /** how many times the plugin ran (for tests) */
  runs = 0;

  constructor(
    readonly exec: ExecConfig,
    readonly cluster: { server: string; caData?: string },
    readonly now: () => number = Date.now,
  ) {}

  /** The cached credential while it is valid, else a fresh one from the plugin. */
  async get(): Promise<ExecResult> {
    const c = this.#cached;
    if (c && (c.expiresAt === undefined || this.#refreshAt > this.now())) return c;
    if (this.#running) return this.#running;
    this.runs++;
    this.#running = run(this.exec, this.cluster).then(
      (r) => {
        const at = this.now();
        this.#cached = r;
        this.#refreshAt = r.expiresAt === undefined ? 0 : r.expiresAt - Math.min(EXPIRY_SLACK_MS, Math.max(0, (r.expiresAt - at) / 2));
        this.#running = undefined;
        return r;
      },
      (e: unknown) => {
        this.#running = undefined;
        throw e;
      },
    );
    return this.#running;
  }

  /** Forgets the credential (the API server refused it): the next request runs the plugin again. */
  invalidate(): void {
    this.#cached = undefined;
  }
}
