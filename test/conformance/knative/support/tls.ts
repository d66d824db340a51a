// CreateTLSSecret's certificate, made with the openssl CLI: a self-signed ECDSA P-256 CA
// certificate for `hosts` (organization "Knative Ingress Conformance Testing", key usages
// KeyEncipherment, DigitalSignature, CertSign; extended usage ServerAuth). The suite lets it live
// 5 minutes; `openssl req` counts in days, so it lives one.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CertPair {
  cert: string;
  key: string;
}

export function makeConformanceCert(hosts: string[]): CertPair {
  const dir = mkdtempSync(join(tmpdir(), 'knative-conformance-cert-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/O=Knative Ingress Conformance Testing',
      '-addext', `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}`,
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyEncipherment,digitalSignature,keyCertSign',
      '-addext', 'extendedKeyUsage=serverAuth',
      '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt'),
    ], { stdio: 'ignore', timeout: 20_000 });
    return { cert: readFileSync(join(dir, 'tls.crt'), 'utf8'), key: readFileSync(join(dir, 'tls.key'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
