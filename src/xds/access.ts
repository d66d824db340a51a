// Who may receive anything from the xDS server. Every resource (routes, cluster-local ones
// included, endpoints, and through SDS the TLS private keys) goes to any client that is admitted,
// so admission is decided once per stream, on its first request, and a refused client gets
// PERMISSION_DENIED before anything is sent.
import { SluiceError } from '../errors.ts';

export interface XdsAccess {
  /** exact node ids and prefixes ending in `*`; undefined: every node id */
  readonly allowNodes?: readonly string[];
  /** the node id must be the client certificate's CN or one of its URI SANs (needs mTLS) */
  readonly nodeIdFromCert?: boolean;
}

/** The parts of a TLS peer certificate (node:tls PeerCertificate) that name the client. */
export interface CertNames {
  readonly subject?: { readonly CN?: string | readonly string[] };
  readonly subjectaltname?: string;
}

/** `--xds-allow-node ID[,ID...]`: exact ids, or prefixes written with a trailing `*`. */
export function parseNodeAllowList(value: string, flag = '--xds-allow-node'): string[] {
  const entries = value.split(',').map((e) => e.trim());
  for (const e of entries) {
    if (e === '' || e.slice(0, -1).includes('*')) {
      throw new SluiceError(
        'SLUICE_ERR_BAD_FLAG',
        `${flag}: "${value}" must be node ids separated by commas, each exact or a prefix ending in * (got "${e}")`,
      );
    }
  }
  return entries;
}

export function nodeIdAllowed(patterns: readonly string[] | undefined, id: string): boolean {
  if (!patterns) return true;
  return patterns.some((p) => (p.endsWith('*') ? id.startsWith(p.slice(0, -1)) : id === p));
}

/**
 * The names a client certificate vouches for: its CN(s) and URI SANs (SPIFFE ids). DNS SANs are
 * left out on purpose: a node id is an identity, not a host name. Node writes a SAN value that
 * holds a comma or quote as a JSON string.
 */
export function certIdentities(cert: CertNames): string[] {
  const cn = cert.subject?.CN;
  const out = cn === undefined ? [] : typeof cn === 'string' ? [cn] : [...cn];
  for (const m of (cert.subjectaltname ?? '').matchAll(/(?:^|, )URI:("(?:[^"\\]|\\.)*"|[^,]*)/g)) {
    const raw = m[1]!;
    out.push(raw.startsWith('"') ? (JSON.parse(raw) as string) : raw);
  }
  return out;
}

/** Why a client may receive nothing, or undefined when it is admitted. */
export function denialReason(access: XdsAccess, nodeId: string, peerCert: CertNames | undefined): string | undefined {
  if (access.allowNodes && nodeId === '') return 'the first request carries no node id';
  if (!nodeIdAllowed(access.allowNodes, nodeId)) return `node id "${nodeId}" is not allowed`;
  if (access.nodeIdFromCert) {
    if (!peerCert) return 'no client certificate';
    if (!certIdentities(peerCert).includes(nodeId)) {
      return `node id "${nodeId}" does not match the client certificate (CN or URI SAN)`;
    }
  }
  return undefined;
}
