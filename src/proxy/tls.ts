// The TLS listener (--https): certificates chosen by SNI from the snapshot's spec.tls entries,
// rebuilt on each snapshot swap (a rotated Secret is served on the next handshake), ALPN h2 and
// http/1.1, TLS 1.2 minimum unless --tls-min-version says 1.3 (tls-params.ts). An unknown name fails the handshake unless --default-cert is set.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type net from 'node:net';
import tls from 'node:tls';
import { SluiceError } from '../errors.ts';
import { adoptProxiedPeer, type ProxyReadOptions, readProxyHeader } from '../net/proxy-protocol-reader.ts';
import type { ClientValidation, Snapshot, TlsCertificate } from '../snapshot/types.ts';
import { DEFAULT_TLS, type TlsParams } from './listener-settings.ts';
import { tlsParamOptions } from './tls-params.ts';

export const TLS_MIN_VERSION = 'TLSv1.2';

export interface KeyPairPem {
  readonly cert: string;
  readonly key: string;
}

interface LoadedPair {
  readonly pair: KeyPairPem;
  readonly ctx: tls.SecureContext;
}

/** What a TLS listener asks for: a certificate by SNI name, and the one for clients that send no SNI. */
export interface SniCertificates {
  lookup(servername: string): tls.SecureContext | undefined;
  readonly defaultCert: KeyPairPem | undefined;
}

/**
 * SecureContexts by SNI name, swapped as a whole; contexts are reused while their PEMs are unchanged.
 * The default is `--default-cert` (--https) or, with `firstIsDefault`, the first usable certificate
 * loaded (a Gateway API HTTPS port: its listener's first certificateRef).
 */
export class TlsContexts implements SniCertificates {
  #exact = new Map<string, tls.SecureContext>();
  #byContent = new Map<string, tls.SecureContext>();
  #fallback: tls.SecureContext | undefined;
  #fixedDefault: KeyPairPem | undefined;
  readonly #firstIsDefault: boolean;
  /** CA certificates (PEM) client certificates are verified against, in every context */
  readonly #ca: string | undefined;
  #first: LoadedPair | undefined;

  constructor(defaultCert?: KeyPairPem, options: { readonly firstIsDefault?: boolean; readonly ca?: string } = {}) {
    this.#fixedDefault = defaultCert;
    this.#ca = options.ca;
    this.#fallback = defaultCert ? secureContext(defaultCert.cert, defaultCert.key, options.ca) : undefined;
    this.#firstIsDefault = options.firstIsDefault === true;
  }

  /** A new default certificate (config-sluice's default-certificate), or none; throws when Node cannot load it. */
  setDefault(pair: KeyPairPem | undefined): void {
    this.#fallback = pair ? secureContext(pair.cert, pair.key, this.#ca) : undefined;
    this.#fixedDefault = pair;
  }

  get defaultCert(): KeyPairPem | undefined {
    return this.#fixedDefault ?? this.#first?.pair;
  }

  /** Rebuilds the name table from a snapshot's Knative certificates. A certificate Node cannot load is skipped, not fatal. */
  update(snapshot: Snapshot, onError: (cert: TlsCertificate, err: Error) => void = () => {}): void {
    // Gateway listeners' certificates belong to their own ports (gateway-ports.ts).
    this.load(snapshot.tls.some((c) => c.gateway === true) ? snapshot.tls.filter((c) => c.gateway !== true) : snapshot.tls, onError);
  }

  /** Rebuilds the name table from `certs`; when two claim a host, the earlier one wins. */
  load(certs: readonly TlsCertificate[], onError: (cert: TlsCertificate, err: Error) => void = () => {}): void {
    const exact = new Map<string, tls.SecureContext>();
    const byContent = new Map<string, tls.SecureContext>();
    let first: LoadedPair | undefined;
    for (const c of certs) {
      const key = `${c.certChain}\0${c.privateKey}`;
      let ctx = byContent.get(key) ?? this.#byContent.get(key);
      if (!ctx) {
        try {
          ctx = secureContext(c.certChain, c.privateKey, this.#ca);
        } catch (err) {
          onError(c, err as Error);
          continue;
        }
      }
      byContent.set(key, ctx);
      if (this.#firstIsDefault && !first) first = this.#first?.ctx === ctx ? this.#first : { pair: { cert: c.certChain, key: c.privateKey }, ctx };
      for (const h of c.hosts) if (!exact.has(h)) exact.set(h, ctx);
    }
    this.#exact = exact;
    this.#byContent = byContent;
    this.#first = first;
  }

  /** Exact name, then the wildcard for its parent (`*.example.com`), then the default. */
  lookup(servername: string): tls.SecureContext | undefined {
    const name = servername.toLowerCase().replace(/\.$/, '');
    const hit = this.#exact.get(name);
    if (hit) return hit;
    const dot = name.indexOf('.');
    if (dot > 0) {
      const wild = this.#exact.get(`*${name.slice(dot)}`);
      if (wild) return wild;
    }
    return this.#fallback ?? this.#first?.ctx;
  }

  get size(): number {
    return this.#exact.size;
  }
}

/** `ca`: the CAs client certificates are verified against (the SNI-chosen context is the one that verifies). */
export function secureContext(cert: string, key: string, ca?: string): tls.SecureContext {
  return tls.createSecureContext({ cert, key, minVersion: TLS_MIN_VERSION, ...(ca !== undefined && { ca }) });
}

/**
 * `--default-cert`: `CERT_FILE,KEY_FILE`, or a directory holding `tls.crt` and `tls.key`
 * (the layout of a mounted kubernetes.io/tls Secret).
 */
export function readDefaultCert(value: string): KeyPairPem {
  const flag = '--default-cert';
  let certFile: string;
  let keyFile: string;
  const parts = value.split(',');
  if (parts.length === 2 && parts[0] && parts[1]) {
    [certFile, keyFile] = [parts[0], parts[1]];
  } else {
    let isDir = false;
    try {
      isDir = statSync(value).isDirectory();
    } catch {
      throw new SluiceError('SLUICE_ERR_BAD_FLAG', `${flag}: "${value}" is neither CERT_FILE,KEY_FILE nor a directory`);
    }
    if (!isDir) throw new SluiceError('SLUICE_ERR_BAD_FLAG', `${flag}: "${value}" is not a directory; give CERT_FILE,KEY_FILE or a directory with tls.crt and tls.key`);
    certFile = join(value, 'tls.crt');
    keyFile = join(value, 'tls.key');
  }
  const read = (file: string): string => {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new SluiceError('SLUICE_ERR_BAD_FLAG', `${flag}: cannot read ${file}: ${(err as Error).message}`);
    }
  };
  const pair = { cert: read(certFile), key: read(keyFile) };
  try {
    secureContext(pair.cert, pair.key);
  } catch (err) {
    throw new SluiceError('SLUICE_ERR_BAD_FLAG', `${flag}: ${certFile} and ${keyFile} are not a usable certificate and key: ${(err as Error).message}`);
  }
  return pair;
}

export interface TlsListenerOptions {
  readonly contexts: SniCertificates;
  /** ms to complete the handshake */
  readonly handshakeTimeout: number;
  readonly http1: (socket: net.Socket) => void;
  readonly h2: (socket: net.Socket) => void;
  readonly onClientError?: (err: Error) => void;
  /** ask every client for a certificate, verified against these CAs (which `contexts` must hold too) */
  readonly clientValidation?: ClientValidation;
  /** asked per connection: a PROXY protocol header comes before the ClientHello (undefined: none) */
  readonly proxyProtocol?: () => ProxyReadOptions | undefined;
  /** the versions and cipher suites offered (default TLS 1.2 and up, Node's ciphers); later ones by setSecureContext(noSniContext(...)) */
  readonly params?: TlsParams;
}

export function createTlsListener(options: TlsListenerOptions): tls.Server {
  const { contexts } = options;
  const fallback = contexts.defaultCert;
  const validation = options.clientValidation;
  const server = tls.createServer({
    ALPNProtocols: ['h2', 'http/1.1'],
    handshakeTimeout: options.handshakeTimeout,
    allowHalfOpen: true,
    // Clients that send no SNI (an IP address) get the default certificate, if there is one.
    ...noSniContext(fallback, validation?.caCertificates, options.params),
    // AllowValidOnly: the handshake fails without a certificate that chains to a CA;
    // AllowInsecureFallback: one is asked for and verified, but the connection goes on either way.
    ...(validation !== undefined && { requestCert: true, rejectUnauthorized: validation.mode === 'AllowValidOnly' }),
    SNICallback: (servername, cb) => {
      const ctx = contexts.lookup(servername);
      if (ctx) cb(null, ctx);
      else cb(new Error(`no certificate for "${servername}"`));
    },
  });
  if (options.proxyProtocol) readProxyHeaderFirst(server, options.proxyProtocol);
  server.on('secureConnection', (socket: tls.TLSSocket) => {
    socket.setNoDelay(true);
    adoptProxiedPeer(socket);
    if (socket.alpnProtocol === 'h2') options.h2(socket);
    else options.http1(socket);
  });
  server.on('tlsClientError', (err, socket) => {
    options.onClientError?.(err);
    socket.destroy();
  });
  return server;
}

/**
 * node:tls starts the handshake from the server's own 'connection' listener; with a PROXY header
 * expected, that listener runs only once the header has been read off the socket (node:tls reads
 * the bytes pushed back after it as the start of the ClientHello).
 */
function readProxyHeaderFirst(server: tls.Server, proxyProtocol: () => ProxyReadOptions | undefined): void {
  const handshakes = server.listeners('connection') as Array<(socket: net.Socket) => void>;
  server.removeAllListeners('connection');
  const start = (socket: net.Socket): void => {
    for (const h of handshakes) h.call(server, socket);
  };
  server.on('connection', (socket: net.Socket) => {
    const proxy = proxyProtocol();
    if (proxy === undefined) start(socket);
    else readProxyHeader(socket, proxy, start);
  });
}

/**
 * The server options of the context served to clients that send no SNI; for tls.createServer and for
 * server.setSecureContext when the default certificate changes.
 */
export function noSniContext(pair: KeyPairPem | undefined, ca?: string, params: TlsParams = DEFAULT_TLS): tls.SecureContextOptions {
  return { ...tlsParamOptions(params), ...(pair ? { cert: pair.cert, key: pair.key } : {}), ...(ca !== undefined && { ca }) };
}
