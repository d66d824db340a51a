// kubernetes.MustCreateSelfSignedCertSecret's certificate, made with the openssl CLI: a
// self-signed certificate for `hosts` (the suite's own is RSA 2048, valid one year).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CertPair {
  readonly cert: string;
  readonly key: string;
}

export function selfSignedCert(hosts: readonly string[]): CertPair {
  const dir = mkdtempSync(join(tmpdir(), 'gwconf-cert-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '365',
      '-subj', '/O=kubernetes-sigs.k8s.io',
      '-addext', `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}`,
      '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt'),
    ], { stdio: 'ignore', timeout: 20_000 });
    return { cert: readFileSync(join(dir, 'tls.crt'), 'utf8'), key: readFileSync(join(dir, 'tls.key'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The Secret (kubernetes.io/tls) holding `pair`. */
export function tlsSecret(namespace: string, name: string, pair: CertPair): object {
  return { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name, namespace }, stringData: { 'tls.crt': pair.cert, 'tls.key': pair.key } };
}
