// What every request to the API server carries, from a resolved kubeconfig context (or the pod's
// service account): the Authorization header (bearer token, token file, exec plugin or basic auth)
// and the TLS material (CA, client certificate and key, server name, verification). Files are
// re-read at most once a minute, as client-go does, so a rotated service account token, CA or client
// certificate is picked up without a restart; a 401 makes the next request re-read them at once.
import { readFileSync } from 'node:fs';
import { SluiceError } from '../errors.ts';
import { ExecCredentialSource } from './exec-credential.ts';
import type { ClusterEntry, UserEntry } from './kubeconfig-file.ts';

export interface TlsMaterial {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly servername?: string;
  readonly rejectUnauthorized?: boolean;
}

export interface RequestAuth {
  readonly headers: Readonly<Record<string, string>>;
  readonly tls: TlsMaterial;
}

const REREAD_MS = 60_000;

/** A file's text, re-read once it is older than `maxAgeMs` (or after forget()). */
class RereadFile {
  #text = '';
  #readAt = Number.NEGATIVE_INFINITY;
  constructor(
    readonly path: string,
    readonly field: string,
    readonly maxAgeMs: number,
  ) {}
  get(now: number): string {
    if (now - this.#readAt < this.maxAgeMs) return this.#text;
    try {
      this.#text = readFileSync(this.path, 'utf8');
    } catch (err) {
      throw new SluiceError('SLUICE_ERR_KUBERNETES', `cannot read ${this.field} ${this.path}: ${(err as Error).message}`, { cause: err });
    }
    this.#readAt = now;
    return this.#text;
  }
  forget(): void {
    this.#readAt = Number.NEGATIVE_INFINITY;
  }
}

/** Inline data, or a file re-read as it rotates, or nothing. */
type Material = { readonly get: (now: number) => string; readonly forget: () => void } | undefined;
const inline = (text: string | undefined): Material => (text === undefined ? undefined : { get: () => text, forget: () => {} });

export interface CredentialOptions {
  /** how long a file read (token, CA, certificate) is kept; 60 s unless a test says otherwise */
  readonly rereadMs?: number;
  readonly now?: () => number;
}

export class KubeCredentials {
  readonly server: string;
  readonly proxyUrl?: string;
  readonly namespace?: string;
  /** where these came from (files and context, or the service account), for messages */
  readonly where: string;
  readonly #ca: Material;
  readonly #cert: Material;
  readonly #key: Material;
  readonly #token: Material;
  readonly #exec: ExecCredentialSource | undefined;
  readonly #static: Record<string, string>;
  readonly #tls: Pick<TlsMaterial, 'servername' | 'rejectUnauthorized'>;
  readonly #now: () => number;

  constructor(cluster: ClusterEntry, user: UserEntry, where: string, o: CredentialOptions & { namespace?: string } = {}) {
    const ms = o.rereadMs ?? REREAD_MS;
    const file = (path: string | undefined, field: string): Material => (path === undefined ? undefined : new RereadFile(path, field, ms));
    this.server = cluster.server;
    this.proxyUrl = cluster.proxyUrl;
    this.namespace = o.namespace;
    this.where = where;
    this.#now = o.now ?? Date.now;
    // Data wins over a file, as client-go's precedence for each pair.
    this.#ca = inline(cluster.caData) ?? file(cluster.caFile, 'certificate-authority');
    this.#cert = inline(user.certData) ?? file(user.certFile, 'client-certificate');
    this.#key = inline(user.keyData) ?? file(user.keyFile, 'client-key');
    this.#token = inline(user.token) ?? file(user.tokenFile, 'token file');
    this.#exec = user.exec ? new ExecCredentialSource(user.exec, { server: cluster.server, caData: cluster.caData }, this.#now) : undefined;
    const headers: Record<string, string> = {};
    if (user.username !== undefined || user.password !== undefined) {
      headers.authorization = `Basic ${Buffer.from(`${user.username ?? ''}:${user.password ?? ''}`).toString('base64')}`;
    }
    if (user.impersonate) headers['impersonate-user'] = user.impersonate;
    this.#static = headers;
    this.#tls = {
      ...(cluster.tlsServerName ? { servername: cluster.tlsServerName } : {}),
      ...(cluster.insecureSkipTlsVerify ? { rejectUnauthorized: false } : {}),
    };
  }

  /** Headers and TLS material for the next request. */
  async auth(): Promise<RequestAuth> {
    const now = this.#now();
    const headers = { ...this.#static };
    const token = this.#token?.get(now).trim();
    if (token) headers.authorization = `Bearer ${token}`;
    let cert = this.#cert?.get(now);
    let key = this.#key?.get(now);
    if (this.#exec) {
      const c = await this.#exec.get();
      if (c.token) headers.authorization = `Bearer ${c.token}`;
      if (c.cert && c.key) [cert, key] = [c.cert, c.key];
    }
    return { headers, tls: { ...this.#tls, ca: this.#ca?.get(now), cert, key } };
  }

  /** The API server answered 401: re-read files and re-run the exec plugin before the next request. */
  refused(): void {
    for (const m of [this.#ca, this.#cert, this.#key, this.#token]) m?.forget();
    this.#exec?.invalidate();
  }
}
