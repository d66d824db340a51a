// Snapshot TLS certificates -> Envoy SDS Secrets, named as the listeners' filter chains name
// them. This is the only xDS resource that carries a private key: listeners refer to it by name,
// so a key is sent only to a client that asks for that secret (see README, "What a client gets").
import type { TlsCertificate } from '../snapshot/types.ts';
import type { NamedResource } from './routes.ts';

export function buildSecrets(certs: readonly TlsCertificate[]): NamedResource[] {
  return certs.map((cert) => ({
    name: cert.name,
    resource: {
      name: cert.name,
      tls_certificate: {
        certificate_chain: { inline_string: cert.certChain },
        private_key: { inline_string: cert.privateKey },
      },
    },
  }));
}
