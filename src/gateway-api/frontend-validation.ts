// Gateway spec.tls.frontend -> the client certificate validation of an HTTPS listener on a port:
// its perPort entry, else the default. Each caCertificateRef must be a core ConfigMap (same
// namespace, or allowed by a ReferenceGrant) whose `ca.crt` holds PEM certificates; the usable
// ones are concatenated. A bad reference is reported (the spec's reasons); with no usable CA at
// all the listener is not served, never served without the check it asks for.
import { X509Certificate } from 'node:crypto';
import type { ClientValidation } from '../snapshot/types.ts';
import { refAllowed, type GrantIndex } from './reference-grants.ts';
import { GATEWAY_GROUP, type ConfigMap, type FrontendTLSConfig, type Gateway } from './types.ts';

export interface FrontendProblem {
  /** InvalidCACertificateKind, RefNotPermitted or InvalidCACertificateRef (ResolvedRefs False) */
  readonly reason: string;
  readonly message: string;
}

export interface FrontendValidation {
  /** undefined: none asked for, or no usable CA (then `problem` says why) */
  readonly validation?: ClientValidation;
  /** the first bad reference */
  readonly problem?: FrontendProblem;
  /** validation asked for and no CA usable: the listener must not be served */
  readonly unusable: boolean;
}

const NONE: FrontendValidation = { unusable: false };
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

export function frontendValidation(gateway: Gateway, port: number, configMaps: ReadonlyMap<string, ConfigMap>, grants: GrantIndex): FrontendValidation {
  const frontend = gateway.spec.tls?.frontend;
  const perPort = frontend?.perPort?.find((p) => p.port === port);
  const config: FrontendTLSConfig | undefined = perPort !== undefined ? perPort.tls : frontend?.default;
  const validation = config?.validation;
  if (validation === undefined) return NONE;
  const where = perPort !== undefined ? `spec.tls.frontend.perPort[port ${port}]` : 'spec.tls.frontend.default';
  const gwNamespace = gateway.metadata.namespace ?? 'default';
  const pems: string[] = [];
  let problem: FrontendProblem | undefined;
  const fail = (reason: string, message: string): void => {
    problem ??= { reason, message: `${where}.validation: ${message}` };
  };
  for (const ref of validation.caCertificateRefs ?? []) {
    const group = ref.group ?? '';
    const kind = ref.kind ?? 'ConfigMap';
    const namespace = ref.namespace ?? gwNamespace;
    const name = `${namespace}/${ref.name ?? ''}`;
    if (group !== '' || kind !== 'ConfigMap') {
      fail('InvalidCACertificateKind', `caCertificateRef ${group === '' ? 'core' : group}/${kind} ${name}: only core ConfigMaps are supported`);
      continue;
    }
    if (!refAllowed(grants, { group: GATEWAY_GROUP, kind: 'Gateway', namespace: gwNamespace }, { group: '', kind: 'ConfigMap', namespace, name: ref.name ?? '' })) {
      fail('RefNotPermitted', `ConfigMap ${name} is in another namespace and no ReferenceGrant allows it`);
      continue;
    }
    const pem = caBundle(configMaps.get(name));
    if (typeof pem !== 'string') {
      fail('InvalidCACertificateRef', `ConfigMap ${name} ${pem.why}`);
      continue;
    }
    pems.push(pem);
  }
  const mode = validation.mode === 'AllowInsecureFallback' ? 'AllowInsecureFallback' : 'AllowValidOnly';
  if (pems.length === 0) return { problem: problem ?? { reason: 'InvalidCACertificateRef', message: `${where}.validation: no caCertificateRefs` }, unusable: true };
  const result = { validation: { caCertificates: pems.join(''), mode } as const, unusable: false };
  return problem === undefined ? result : { ...result, problem };
}

/** A ConfigMap's `ca.crt` -> its certificates as PEM, each checked to parse. */
function caBundle(cm: ConfigMap | undefined): string | { why: string } {
  if (cm === undefined) return { why: 'not found' };
  const text = cm.data?.['ca.crt'];
  if (text === undefined || text.trim() === '') return { why: 'has no ca.crt' };
  const blocks = text.match(PEM_CERT) ?? [];
  if (blocks.length === 0) return { why: 'has no PEM certificate in ca.crt' };
  try {
    for (const b of blocks) new X509Certificate(b);
  } catch (err) {
    return { why: `has an unreadable certificate in ca.crt: ${(err as Error).message}` };
  }
  return `${blocks.join('\n')}\n`;
}
