// spec.tls -> TLS certificates served by SNI on the external TLS listener. A missing or unusable
// Secret is a problem of that one ingress: its hosts are still routed (plain HTTP keeps working),
// only the certificate is left out, as net-kourier validates user-provided key pairs before use.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { IngressTLS, KIngress, Secret } from '../api/types.ts';
import type { TlsCertificate } from '../snapshot/types.ts';
import type { Lookups } from './lookups.ts';
import type { Problem } from './problems.ts';

export interface ResolvedTls {
  readonly certificates: readonly TlsCertificate[];
  readonly problems: readonly Problem[];
}

export function resolveTls(ing: KIngress, set: Lookups): ResolvedTls {
  const namespace = ing.metadata.namespace ?? 'default';
  const certificates: TlsCertificate[] = [];
  const problems: Problem[] = [];
  (ing.spec.tls ?? []).forEach((entry, i) => {
    const where = `spec.tls[${i}]`;
    const key = `${entry.secretNamespace || namespace}/${entry.secretName ?? ''}`;
    const secret = set.secret(key);
    if (!secret) {
      problems.push({ reason: 'SecretNotFound', message: `${where}: Secret "${key}" not found` });
      return;
    }
    const pair = keyPair(secret);
    if (typeof pair === 'string') {
      problems.push({ reason: 'InvalidSecret', message: `${where}: Secret "${key}" ${pair}` });
      return;
    }
    certificates.push({ name: key, hosts: tlsHosts(entry, ing), ...pair });
  });
  return { certificates, problems };
}

// Knative leaves hosts optional ("defaults to the wildcard host"); Sluice reads that as every host
// of this ingress's rules, so the certificate is still offered for them.
function tlsHosts(entry: IngressTLS, ing: KIngress): string[] {
  const hosts = entry.hosts?.length ? entry.hosts : (ing.spec.rules ?? []).flatMap((r) => r.hosts ?? []);
  return [...new Set(hosts.map((h) => h.toLowerCase()))].sort();
}

/** The PEM pair of a kubernetes.io/tls Secret, or why it cannot be used. */
export function keyPair(secret: Secret): { certChain: string; privateKey: string } | string {
  if (secret.type !== undefined && secret.type !== 'kubernetes.io/tls') {
    return `has type "${secret.type}", want "kubernetes.io/tls"`;
  }
  const certChain = field(secret, 'tls.crt');
  const privateKey = field(secret, 'tls.key');
  if (!certChain) return 'has no tls.crt';
  if (!privateKey) return 'has no tls.key';
  try {
    const cert = new X509Certificate(certChain);
    if (!cert.checkPrivateKey(createPrivateKey(privateKey))) return 'has a tls.key that does not match tls.crt';
  } catch (err) {
    return `has an unreadable certificate or key: ${(err as Error).message}`;
  }
  return { certChain, privateKey };
}

// stringData wins over data, as the API server merges it on write.
function field(secret: Secret, name: string): string | undefined {
  const s = secret.stringData?.[name];
  if (s) return s;
  const d = secret.data?.[name];
  return d ? Buffer.from(d, 'base64').toString('utf8') : undefined;
}
