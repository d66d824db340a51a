// `sluice serve`'s --xds-* flags -> the xDS server's transport and access options.
import { SluiceError } from '../errors.ts';
import { parseNodeAllowList, type XdsAccess } from '../xds/access.ts';
import type { XdsTls } from '../xds/transport.ts';

export interface XdsFlags {
  xds?: string;
  xdsTlsCert?: string;
  xdsTlsKey?: string;
  xdsClientCa?: string;
  xdsAllowNode?: string;
  xdsNodeIdFromCert?: boolean;
}

const DEPENDENT: ReadonlyArray<[keyof XdsFlags, string]> = [
  ['xdsTlsCert', '--xds-tls-cert'],
  ['xdsTlsKey', '--xds-tls-key'],
  ['xdsClientCa', '--xds-client-ca'],
  ['xdsAllowNode', '--xds-allow-node'],
  ['xdsNodeIdFromCert', '--xds-node-id-from-cert'],
];

/** Refuses --xds-* flags given without --xds (they would silently do nothing). */
export function checkXdsFlags(f: XdsFlags): void {
  if (f.xds) return;
  const given = DEPENDENT.find(([key]) => f[key] !== undefined && f[key] !== false);
  if (given) throw new SluiceError('SLUICE_ERR_BAD_FLAG', `${given[1]} needs --xds ADDR`);
}

/** Reads the certificate files and parses the allow-list; errors name the flag. */
export async function xdsSecurityFromFlags(f: XdsFlags): Promise<{ tls?: XdsTls; access: XdsAccess }> {
  // Loaded with --xds only: the transport module brings grpc-js.
  const { readXdsTls } = await import('../xds/transport.ts');
  const tls = readXdsTls({ cert: f.xdsTlsCert, key: f.xdsTlsKey, clientCa: f.xdsClientCa });
  const access: XdsAccess = {
    ...(f.xdsAllowNode !== undefined ? { allowNodes: parseNodeAllowList(f.xdsAllowNode) } : {}),
    ...(f.xdsNodeIdFromCert ? { nodeIdFromCert: true } : {}),
  };
  return { ...(tls ? { tls } : {}), access };
}
