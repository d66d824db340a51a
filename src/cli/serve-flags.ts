// `sluice serve`'s flags: their declared shape, defaults, and the checks that turn each into the
// value it configures; a bad value is one SluiceError naming its flag. No I/O.
import { isIP } from 'node:net';
import { DEFAULT_INGRESS_CLASS } from '../api/types.ts';
import { SluiceError } from '../errors.ts';
import { DEFAULT_RATE_LIMIT } from '../k8s/rate-limiter.ts';
import type { TracingFlags } from '../observe/trace-flags.ts';
import { defaultLimits, type ListenerLimits } from '../proxy/listeners.ts';
import { defaultLimits as defaultConfigLimits, type ConfigLimits } from '../sources/read-file.ts';
import type { TranslateOptions } from '../translate/options.ts';
import type { ListenerFlags } from './listener-flags.ts';
import type { XdsFlags } from './xds-flags.ts';

export interface ServeFlags extends XdsFlags, TracingFlags, ListenerFlags {
  workers?: string;
  /** file mode: serve only ingresses annotated with --ingress-class (Kubernetes mode always does) */
  requireIngressClass?: boolean;
  config?: string;
  kubernetes?: boolean;
  kubeconfig?: string;
  id?: string;
  leaseDuration: string;
  /** Kubernetes mode: the API client's rate limit */
  kubeApiQps: string;
  kubeApiBurst: string;
  http: string;
  https: string;
  local: string;
  admin: string;
  /** file holding the admin endpoint's bearer token */
  adminTokenFile?: string;
  /** serve a non-loopback --admin without a token */
  adminInsecure?: boolean;
  health: string;
  clusterDomain: string;
  ingressClass: string;
  /** the address Gateway API listeners bind */
  gatewayAddress: string;
  /** added to every Gateway API listener's port */
  portOffset: string;
  gatewayService: string;
  localGatewayService: string;
  /** Kubernetes mode: the Service in front of the Gateway API listeners */
  gatewayApiService: string;
  headerTimeout: string;
  idleTimeout: string;
  clientBodyTimeout: string;
  clientSendTimeout: string;
  maxHeaderSize: string;
  maxConfigFileSize: string;
  maxConfigDocuments: string;
  drainTimeout: string;
  drainDelay: string;
  logLevel: string;
  xds?: string;
  /** `CERT_FILE,KEY_FILE` or a directory with tls.crt and tls.key */
  defaultCert?: string;
  /** commander sets this to false for --no-fast-path */
  fastPath?: boolean;
  /** commander sets this to false for --no-normalize-path */
  normalizePath?: boolean;
  /** PATH, `-` (stdout) or `off` */
  accessLog: string;
  /** `json` or an Envoy-style template */
  accessLogFormat: string;
  /** commander sets these to false for --no-request-id and --no-trust-request-id */
  requestId?: boolean;
  /** --request-id-in-response: x-request-id on proxied responses too */
  requestIdInResponse?: boolean;
  trustRequestId?: boolean;
  /** ms between timed flushes of the access log */
  accessLogFlushInterval: string;
  /** 0..1: share of ordinary exchanges logged (failures always are); absent: 1 */
  accessLogSampleRate?: string;
  /** listeners that log: `http,https,local,gateway,gateway/ADDR:PORT` or `all`; absent: all */
  accessLogListeners?: string;
}

export const serveDefaults = {
  http: '0.0.0.0:8080',
  https: '0.0.0.0:8443',
  local: '0.0.0.0:8081',
  admin: '127.0.0.1:9901',
  // Envoy's admin (`sluice envoy bootstrap`) defaults to 127.0.0.1:9902 and may run on the same host.
  health: '0.0.0.0:9903',
  clusterDomain: 'cluster.local',
  ingressClass: DEFAULT_INGRESS_CLASS,
  gatewayAddress: '0.0.0.0',
  portOffset: '0',
  gatewayService: 'sluice-system/sluice',
  localGatewayService: 'sluice-system/sluice-internal',
  gatewayApiService: 'sluice-system/sluice-gateway',
  leaseDuration: '15',
  kubeApiQps: String(DEFAULT_RATE_LIMIT.qps),
  kubeApiBurst: String(DEFAULT_RATE_LIMIT.burst),
  headerTimeout: '20',
  idleTimeout: '60',
  clientBodyTimeout: '60',
  clientSendTimeout: '60',
  maxHeaderSize: '65536',
  maxConfigFileSize: String(defaultConfigLimits.maxFileBytes),
  maxConfigDocuments: String(defaultConfigLimits.maxDocuments),
  drainTimeout: '30',
  drainDelay: '5',
  logLevel: 'info',
  accessLog: 'off',
  accessLogFormat: 'json',
  accessLogFlushInterval: '200',
} as const;

export function positiveNumber(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new SluiceError('SLUICE_ERR_BAD_FLAG', `${flag}: "${value}" must be a positive number`);
  return n;
}

export function wholeAtLeastOne(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new SluiceError('SLUICE_ERR_BAD_FLAG', `${flag}: "${value}" must be a whole number of at least 1`);
  return n;
}

export function namespacedName(value: string, flag: string): { namespace: string; name: string } {
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9]*[a-z0-9])?)$/.exec(value);
  if (!m) throw new SluiceError('SLUICE_ERR_BAD_FLAG', `${flag}: "${value}" must be NAMESPACE/NAME`);
  return { namespace: m[1]!, name: m[3]! };
}

export function nonNegativeNumber(value: string, flag: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new SluiceError('SLUICE_ERR_BAD_FLAG', `${flag}: "${value}" must be a number, 0 or more`);
  return n;
}

export function limitsFromFlags(f: Pick<ServeFlags, 'headerTimeout' | 'idleTimeout' | 'maxHeaderSize' | 'clientBodyTimeout' | 'clientSendTimeout'>): ListenerLimits {
  return {
    ...defaultLimits,
    headersTimeout: positiveNumber(f.headerTimeout, '--header-timeout') * 1000,
    idleTimeout: positiveNumber(f.idleTimeout, '--idle-timeout') * 1000,
    bodyTimeout: nonNegativeNumber(f.clientBodyTimeout, '--client-body-timeout') * 1000,
    sendTimeout: nonNegativeNumber(f.clientSendTimeout, '--client-send-timeout') * 1000,
    maxHeaderSize: Math.floor(positiveNumber(f.maxHeaderSize, '--max-header-size')),
  };
}

/** Kubernetes mode serves only its class, as Knative's reconcilers do; file mode when asked. */
export function requiresClass(f: Pick<ServeFlags, 'kubernetes' | 'requireIngressClass'>): boolean {
  return Boolean(f.kubernetes) || Boolean(f.requireIngressClass);
}

export function translateOptionsFromFlags(
  f: Pick<ServeFlags, 'clusterDomain' | 'ingressClass' | 'gatewayService' | 'localGatewayService' | 'gatewayAddress' | 'portOffset' | 'kubernetes'> & Partial<Pick<ServeFlags, 'gatewayApiService'>>,
  requireClass: boolean,
): TranslateOptions {
  const pub = namespacedName(f.gatewayService, '--gateway-service');
  const priv = namespacedName(f.localGatewayService, '--local-gateway-service');
  const gw = f.kubernetes ? namespacedName(f.gatewayApiService ?? serveDefaults.gatewayApiService, '--gateway-api-service') : undefined;
  return {
    clusterDomain: f.clusterDomain,
    publicDomain: `${pub.name}.${pub.namespace}.svc.${f.clusterDomain}`,
    privateDomain: `${priv.name}.${priv.namespace}.svc.${f.clusterDomain}`,
    ingressClass: f.ingressClass,
    requireClass,
    gatewayAddress: ipAddress(f.gatewayAddress, '--gateway-address'),
    portOffset: portOffset(f.portOffset, '--port-offset'),
    gatewayNamespace: pub.namespace,
    ...(gw ? { gatewayService: `${gw.namespace}/${gw.name}` } : {}),
  };
}

/** An IPv4 or IPv6 address (brackets allowed around IPv6), as a Gateway's status.addresses holds it. */
export function ipAddress(value: string, flag: string): string {
  const bare = /^\[(.*)\]$/.exec(value)?.[1] ?? value;
  if (isIP(bare) === 0) throw new SluiceError('SLUICE_ERR_BAD_FLAG', `${flag}: "${value}" must be an IP address (for example 0.0.0.0, 127.0.0.1 or ::)`);
  return bare;
}

/** A whole number 0..65535; a listener whose port plus this passes 65535 is refused on its own. */
export function portOffset(value: string, flag: string): number {
  const n = /^\d{1,5}$/.test(value.trim()) ? Number(value) : NaN;
  if (!(n >= 0 && n <= 65535)) throw new SluiceError('SLUICE_ERR_BAD_FLAG', `${flag}: "${value}" must be a whole number from 0 to 65535`);
  return n;
}

/** --max-config-file-size and --max-config-documents: whole numbers of at least 1. */
export function configLimitsFromFlags(f: Pick<ServeFlags, 'maxConfigFileSize' | 'maxConfigDocuments'>): ConfigLimits {
  const whole = (value: string, flag: string): number => {
    const n = positiveNumber(value, flag);
    if (!Number.isSafeInteger(n)) throw new SluiceError('SLUICE_ERR_BAD_FLAG', `${flag}: "${value}" must be a whole number`);
    return n;
  };
  return { maxFileBytes: whole(f.maxConfigFileSize, '--max-config-file-size'), maxDocuments: whole(f.maxConfigDocuments, '--max-config-documents') };
}

/** --drain-delay and --drain-timeout, in ms. */
export function shutdownTimes(f: Pick<ServeFlags, 'drainDelay' | 'drainTimeout'>): { drainDelayMs: number; drainTimeoutMs: number } {
  return { drainDelayMs: nonNegativeNumber(f.drainDelay, '--drain-delay') * 1000, drainTimeoutMs: positiveNumber(f.drainTimeout, '--drain-timeout') * 1000 };
}
