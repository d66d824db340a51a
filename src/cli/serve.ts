// `sluice serve`: flags -> Gateway. Bad flags and unusable addresses end with one clear line.
import cluster from 'node:cluster';
import { DEFAULT_INGRESS_CLASS } from '../api/types.ts';
import { SluiceError } from '../errors.ts';
import { Gateway, type GatewayOptions } from '../gateway.ts';
import { createLogger, type Logger } from '../log.ts';
import { parseAddress } from '../net/address.ts';
import { defaultLimits, type ListenerLimits } from '../proxy/listeners.ts';
import { readDefaultCert } from '../proxy/tls.ts';
import type { SnapshotFeed } from '../snapshot/feed.ts';
import type { IngressStatusReport } from '../snapshot/types.ts';
import { FileSource } from '../sources/file.ts';
import { defaultLimits as defaultConfigLimits, type ConfigLimits } from '../sources/read-file.ts';
import type { Source } from '../sources/types.ts';
import type { TranslateOptions } from '../translate/options.ts';
import { runWorkers } from './workers.ts';

export interface ServeFlags {
  workers?: string;
  config?: string;
  kubernetes?: boolean;
  kubeconfig?: string;
  id?: string;
  leaseDuration: string;
  http: string;
  https: string;
  local: string;
  admin: string;
  clusterDomain: string;
  ingressClass: string;
  gatewayService: string;
  localGatewayService: string;
  headerTimeout: string;
  idleTimeout: string;
  clientBodyTimeout: string;
  clientSendTimeout: string;
  maxHeaderSize: string;
  maxConfigFileSize: string;
  maxConfigDocuments: string;
  drainTimeout: string;
  logLevel: string;
  xds?: string;
  /** `CERT_FILE,KEY_FILE` or a directory with tls.crt and tls.key */
  defaultCert?: string;
  /** commander sets this to false for --no-fast-path */
  fastPath?: boolean;
}

export const serveDefaults = {
  http: '0.0.0.0:8080',
  https: '0.0.0.0:8443',
  local: '0.0.0.0:8081',
  admin: '127.0.0.1:9901',
  clusterDomain: 'cluster.local',
  ingressClass: DEFAULT_INGRESS_CLASS,
  gatewayService: 'sluice-system/sluice',
  localGatewayService: 'sluice-system/sluice-internal',
  leaseDuration: '15',
  headerTimeout: '20',
  idleTimeout: '60',
  clientBodyTimeout: '60',
  clientSendTimeout: '60',
  maxHeaderSize: '65536',
  maxConfigFileSize: String(defaultConfigLimits.maxFileBytes),
  maxConfigDocuments: String(defaultConfigLimits.maxDocuments),
  drainTimeout: '30',
  logLevel: 'info',
} as const;

export function positiveNumber(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new SluiceError('SLUICE_ERR_BAD_FLAG', `${flag}: "${value}" must be a positive number`);
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

export function translateOptionsFromFlags(
  f: Pick<ServeFlags, 'clusterDomain' | 'ingressClass' | 'gatewayService' | 'localGatewayService'>,
  requireClass: boolean,
): TranslateOptions {
  const pub = namespacedName(f.gatewayService, '--gateway-service');
  const priv = namespacedName(f.localGatewayService, '--local-gateway-service');
  return {
    clusterDomain: f.clusterDomain,
    publicDomain: `${pub.name}.${pub.namespace}.svc.${f.clusterDomain}`,
    privateDomain: `${priv.name}.${priv.namespace}.svc.${f.clusterDomain}`,
    ingressClass: f.ingressClass,
    requireClass,
  };
}

/** A source that also writes status back (Kubernetes mode) once the gateway serves. */
type StatusSource = Source & { startStatus(feed: SnapshotFeed): { statuses(): readonly IngressStatusReport[] } };
const writesStatus = (s: Source): s is StatusSource => typeof (s as Partial<StatusSource>).startStatus === 'function';

async function createSource(f: ServeFlags, log: Logger): Promise<Source> {
  if (f.kubernetes) {
    // Loaded only in Kubernetes mode: the client library alone costs seconds of start-up.
    const { KubernetesMode } = await import('../k8s/mode.ts');
    return new KubernetesMode({
      kubeconfig: f.kubeconfig,
      ingressClass: f.ingressClass,
      gatewayService: namespacedName(f.gatewayService, '--gateway-service'),
      localGatewayService: namespacedName(f.localGatewayService, '--local-gateway-service'),
      id: f.id,
      leaseDurationMs: positiveNumber(f.leaseDuration, '--lease-duration') * 1000,
      log: (level, msg) => log[level](msg),
    });
  }
  if (!f.config) throw new SluiceError('SLUICE_ERR_BAD_FLAG', 'serve needs --config DIR or --kubernetes');
  return new FileSource({ dir: f.config, limits: configLimitsFromFlags(f), log: (level, msg, fields) => log[level](fields ?? {}, msg) });
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

export async function buildGatewayOptions(f: ServeFlags, log: Logger): Promise<GatewayOptions> {
  const options: GatewayOptions = {
    source: await createSource(f, log),
    translate: translateOptionsFromFlags(f, Boolean(f.kubernetes)),
    http: parseAddress(f.http, '--http'),
    https: parseAddress(f.https, '--https'),
    ...(f.defaultCert ? { defaultCert: readDefaultCert(f.defaultCert) } : {}),
    local: parseAddress(f.local, '--local'),
    admin: parseAddress(f.admin, '--admin'),
    limits: limitsFromFlags(f),
    drainTimeout: positiveNumber(f.drainTimeout, '--drain-timeout') * 1000,
    log,
    processMetrics: true,
    fastPath: f.fastPath !== false,
  };
  return options;
}

/** Runs until SIGTERM/SIGINT, then drains and exits 0. */
/** Runs until SIGTERM/SIGINT, then drains and exits 0. `--workers N` runs N such processes. */
export async function runServe(f: ServeFlags): Promise<void> {
  const workers = positiveNumber(f.workers ?? '1', '--workers');
  if (!Number.isInteger(workers)) throw new SluiceError('SLUICE_ERR_BAD_FLAG', `--workers: "${f.workers}" must be a whole number`);
  if (workers === 1) return serveInThisProcess(f);
  // Each worker would run its own leader election and xDS server; one process owns those for now.
  if (f.kubernetes || f.xds) throw new SluiceError('SLUICE_ERR_BAD_FLAG', '--workers: more than 1 is not supported with --kubernetes or --xds yet');
  await runWorkers(workers, () => serveInThisProcess(f));
  if (cluster.isPrimary) process.exit(0);
}

async function serveInThisProcess(f: ServeFlags): Promise<void> {
  const log = createLogger(f.logLevel);
  const options = await buildGatewayOptions(f, log);
  const gateway = await Gateway.start(options);
  // Kubernetes mode writes status back (leader only); the source's stop() also stops that.
  if (writesStatus(options.source)) {
    const status = options.source.startStatus(gateway.pipeline.feed);
    gateway.setStatusView(() => status.statuses());
  }
  const xds = f.xds ? await startXds(f, gateway, log) : undefined;
  stopOnSignals(log, async () => {
    await xds?.close();
    await gateway.stop();
  });
}

/** The Envoy control plane (--xds) serves the same snapshots as the data plane. */
async function startXds(f: ServeFlags, gateway: Gateway, log: Logger): Promise<{ close(): Promise<void> }> {
  const { startXdsServer } = await import('../xds/server.ts');
  try {
    const xds = await startXdsServer({
      address: f.xds!,
      feed: gateway.pipeline.feed,
      // Envoy listens where Sluice's own listeners are bound (ports picked with :0 resolved).
      listenerAddresses: { externalAddress: gateway.addresses.http ?? f.http, externalTlsAddress: gateway.addresses.https ?? f.https, localAddress: gateway.addresses.local ?? f.local },
      log: log.child({ component: 'xds' }),
    });
    log.info({ listener: 'xds', address: xds.address }, 'listening');
    return xds;
  } catch (err) {
    await gateway.stop();
    throw err;
  }
}

export function stopOnSignals(log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: draining in-flight requests');
    stop().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (err: Error) => {
        log.error({ err: err.message }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
