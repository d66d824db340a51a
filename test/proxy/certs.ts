// Self-signed test certificates made with the openssl CLI (EC P-256: fast to generate).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCert {
  readonly cert: string;
  readonly key: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** A certificate for `hosts` (the first is the CN), written into `dir` as `<file>.crt/.key`. */
export function makeCert(dir: string, file: string, hosts: string[]): TestCert {
  const certFile = join(dir, `${file}.crt`);
  const keyFile = join(dir, `${file}.key`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', `/CN=${hosts[0]}`, '-addext', `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}`,
    '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore', timeout: 20_000 });
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile };
}

/** A kubernetes.io/tls Secret holding the pair. */
export function tlsSecret(name: string, pair: { cert: string; key: string }, namespace = 'default'): object {
  return { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name, namespace }, stringData: { 'tls.crt': pair.cert, 'tls.key': pair.key } };
}
