// How the xDS server is reached: its bind address (loopback unless told otherwise), its TLS or
// mTLS credentials, and the warning for a server that anyone on the network can read.
import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { SluiceError } from '../errors.ts';
import type { XdsAccess } from './access.ts';
import { parseHostPort } from './common.ts';

/** PEM material of the xDS server: certificate and key, and with `clientCa` mTLS. */
export interface XdsTls {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** CA bundle that client certificates must chain to; set, a client without one is refused */
  readonly clientCa?: Buffer;
}

export const DEFAULT_XDS_HOST = '127.0.0.1';

/** `--xds`: `host:port`, or `PORT` / `:PORT` for loopback (the xDS output includes every route). */
export function parseXdsAddress(value: string): { host: string; port: number; address: string } {
  const portOnly = /^:?(\d{1,5})$/.exec(value);
  const { host, port } = portOnly ? { host: DEFAULT_XDS_HOST, port: Number(portOnly[1]) } : parseHostPort(value, '--xds');
  if (port > 65535) throw new SluiceError('SLUICE_ERR_BAD_FLAG', `--xds: "${value}" is not host:port`);
  return { host, port, address: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}` };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** What a server bound to `host` gives away, or undefined when only this machine can reach it or clients are authenticated. */
export function exposureWarning(host: string, tls: XdsTls | undefined, access: XdsAccess): string | undefined {
  if (isLoopback(host) || tls?.clientCa) return undefined;
  const who = access.allowNodes ? 'anyone who can reach it and claims an allowed node id' : 'anyone who can reach it';
  const how = tls ? 'TLS without --xds-client-ca does not authenticate clients' : 'no TLS is configured';
  return (
    `xDS is served on ${host} and ${how}: ${who} gets every route and endpoint (cluster-local ones ` +
    'included) and the TLS private keys (SDS). Bind it to loopback, or set --xds-tls-cert, ' +
    '--xds-tls-key and --xds-client-ca (and --xds-allow-node)'
  );
}

/** Plaintext, TLS or mTLS; a certificate, key or CA that cannot be used is refused naming its flag. */
export function serverCredentials(tls: XdsTls | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  const check = (options: SecureContextOptions, what: string) => {
    try {
      createSecureContext(options);
    } catch (err) {
      throw new SluiceError('SLUICE_ERR_BAD_FLAG', `${what}: ${(err as Error).message}`, { cause: err });
    }
  };
  check({ cert: tls.cert, key: tls.key }, '--xds-tls-cert/--xds-tls-key: not a PEM certificate and its private key');
  if (tls.clientCa) {
    try {
      new X509Certificate(tls.clientCa);
    } catch (err) {
      throw new SluiceError('SLUICE_ERR_BAD_FLAG', `--xds-client-ca: not a PEM certificate (${(err as Error).message})`, { cause: err });
    }
  }
  return grpc.ServerCredentials.createSsl(tls.clientCa ?? null, [{ cert_chain: tls.cert, private_key: tls.key }], Boolean(tls.clientCa));
}

/** Reads the TLS files named by the xDS flags; a file that cannot be read is named with its flag. */
export function readXdsTls(files: { cert?: string; key?: string; clientCa?: string }): XdsTls | undefined {
  if (!files.cert && !files.key) {
    if (files.clientCa) throw new SluiceError('SLUICE_ERR_BAD_FLAG', '--xds-client-ca needs --xds-tls-cert and --xds-tls-key');
    return undefined;
  }
  if (!files.cert || !files.key) {
    throw new SluiceError('SLUICE_ERR_BAD_FLAG', '--xds-tls-cert and --xds-tls-key go together');
  }
  const read = (file: string, flag: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new SluiceError('SLUICE_ERR_BAD_FLAG', `${flag} ${file}: ${(err as Error).message}`, { cause: err });
    }
  };
  return {
    cert: read(files.cert, '--xds-tls-cert'),
    key: read(files.key, '--xds-tls-key'),
    ...(files.clientCa ? { clientCa: read(files.clientCa, '--xds-client-ca') } : {}),
  };
}
