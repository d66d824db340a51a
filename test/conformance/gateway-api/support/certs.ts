// kubernetes.MustCreateSelfSignedCertSecret's certificate, made with the openssl CLI: a
// self-signed certificate for `hosts` (the suite's own is RSA 2048, valid one year).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

function openssl(dir: string, args: readonly string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore', timeout: 20_000 });
}

/** kubernetes.MustCreateCACertConfigMap's CA: self-signed, allowed to sign certificates. */
export function caCert(): CertPair {
  const dir = mkdtempSync(join(tmpdir(), 'gwconf-ca-'));
  try {
    openssl(dir, [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '365',
      '-subj', '/O=Kubernetes Gateway API conformance/CN=gateway-conformance-ca',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,digitalSignature',
      '-keyout', 'ca.key', '-out', 'ca.crt',
    ]);
    return { cert: readFileSync(join(dir, 'ca.crt'), 'utf8'), key: readFileSync(join(dir, 'ca.key'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** kubernetes.MustCreateCASignedClientCertSecret's certificate: a client certificate signed by `ca`. */
export function caSignedClientCert(ca: CertPair): CertPair {
  const dir = mkdtempSync(join(tmpdir(), 'gwconf-client-'));
  try {
    writeFileSync(join(dir, 'ca.crt'), ca.cert);
    writeFileSync(join(dir, 'ca.key'), ca.key);
    writeFileSync(join(dir, 'ext.cnf'), 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n');
    openssl(dir, ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-subj', '/O=Kubernetes Gateway API conformance/CN=gateway-conformance-client', '-keyout', 'tls.key', '-out', 'tls.csr']);
    openssl(dir, ['x509', '-req', '-in', 'tls.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '365', '-extfile', 'ext.cnf', '-out', 'tls.crt']);
    return { cert: readFileSync(join(dir, 'tls.crt'), 'utf8'), key: readFileSync(join(dir, 'tls.key'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The ConfigMap holding a CA (`ca.crt`, and, as the suite does for its tests only, `key.crt`). */
export function caConfigMap(namespace: string, name: string, ca: CertPair): object {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { 'ca.crt': ca.cert, 'key.crt': ca.key } };
}
