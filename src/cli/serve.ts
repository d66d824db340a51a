// `sluice serve`: flags -> Gateway. Bad flags and unusable addresses end with one clear line.
import cluster from 'node:cluster';
import { isIP } from 'node:net';
import { adminTokenFromFlags } from '../admin/auth.ts';
import { DEFAULT_INGRESS_CLASS } from '../api/types.ts';
import { SluiceError } from '../errors.ts';
import { DEFAULT_RATE_LIMIT } from '../k8s/rate-limiter.ts';
import { Gateway, type GatewayAddresses, type GatewayOptions } from '../gateway.ts';
import { createLogger, type Logger } from '../log.ts';
import { type AccessLog, openAccessLog } from '../observe/access-log.ts';
import { compileFormat } from '../observe/access-log-format.ts';
import { type AccessLogFilter, accessLogFilter } from '../observe/access-log-filter.ts';
import { RequestIds } from '../observe/request-id.ts';
import type { Tracing, TracingOptions } from '../observe/trace-export.ts';
import { type TracingFlags, tracingOptionsFromFlags } from '../observe/trace-flags.ts';
import { parseAddress } from '../net/address.ts';
import { defaultLimits, type ListenerLimits } from '../proxy/listeners.ts';
import { readDefaultCert } from '../proxy/tls.ts';
import type { SnapshotFeed } from '../snapshot/feed.ts';
import type { IngressStatusReport, ObjectStatus } from '../snapshot/types.ts';
import { FileSource } from '../sources/file.ts';
import { defaultLimits as defaultConfigLimits, type ConfigLimits } from '../sources/read-file.ts';
import type { Source } from '../sources/types.ts';
import type { TranslateOptions } from '../translate/options.ts';
import { runPrimary } from './primary.ts';
import { serveWorker } from './worker.ts';
import { runAsWorker } from './workers.ts';
import { checkXdsFlags, xdsSecurityFromFlags, type XdsFlags } from './xds-flags.ts';
import { type ListenerFlags, listenerSettingsFromFlags } from './listener-flags.ts';
import { LiveListenerSettings } from '../proxy/listener-settings.ts';

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

function wholeAtLeastOne(value: string, flag: string): number {
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

/** A source that also writes status back (Kubernetes mode) once the gateway serves. */
type StatusSource = Source & { startStatus(feed: SnapshotFeed, objectStatuses?: () => readonly ObjectStatus[]): { statuses(): readonly IngressStatusReport[]; stop(): Promise<void> } };
export const writesStatus = (s: Source): s is StatusSource => typeof (s as Partial<StatusSource>).startStatus === 'function';

export async function createSource(f: ServeFlags, log: Logger): Promise<Source> {
  if (f.kubernetes) {
    // Loaded only in Kubernetes mode: the client library alone costs seconds of start-up.
    const { KubernetesMode } = await import('../k8s/mode.ts');
    return new KubernetesMode({
      kubeconfig: f.kubeconfig,
      ingressClass: f.ingressClass,
      gatewayService: namespacedName(f.gatewayService, '--gateway-service'),
      localGatewayService: namespacedName(f.localGatewayService, '--local-gateway-service'),
      gatewayApiService: namespacedName(f.gatewayApiService, '--gateway-api-service'),
      id: f.id,
      leaseDurationMs: positiveNumber(f.leaseDuration, '--lease-duration') * 1000,
      rateLimit: { qps: positiveNumber(f.kubeApiQps, '--kube-api-qps'), burst: wholeAtLeastOne(f.kubeApiBurst, '--kube-api-burst') },
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

/** `source`: a `--workers` worker's (relayed from the primary) instead of the one the flags name */
export async function buildGatewayOptions(f: ServeFlags, log: Logger, source?: Source): Promise<GatewayOptions> {
  const admin = parseAddress(f.admin, '--admin');
  const adminToken = adminTokenFromFlags(admin.host, f.adminTokenFile, f.adminInsecure === true, (problem) => log.warn(problem));
  const accessLog = accessLogFromFlags(f);
  const tracing = tracingOptionsFromFlags(f);
  const limits = limitsFromFlags(f);
  const options: GatewayOptions = {
    source: source ?? (await createSource(f, log)),
    translate: translateOptionsFromFlags(f, requiresClass(f)),
    http: parseAddress(f.http, '--http'),
    https: parseAddress(f.https, '--https'),
    ...(f.defaultCert ? { defaultCert: readDefaultCert(f.defaultCert) } : {}),
    local: parseAddress(f.local, '--local'),
    admin,
    ...(adminToken !== undefined && { adminToken }),
    health: parseAddress(f.health, '--health'),
    limits,
    listenerSettings: new LiveListenerSettings(listenerSettingsFromFlags(f), limits.headersTimeout),
    drainTimeout: positiveNumber(f.drainTimeout, '--drain-timeout') * 1000,
    log,
    processMetrics: true,
    fastPath: f.fastPath !== false,
    normalizePath: f.normalizePath !== false,
    ...(accessLog ? { accessLog } : {}),
    ...(f.requestId !== false ? { requestIds: new RequestIds(f.trustRequestId !== false, f.requestIdInResponse === true) } : {}),
    ...(tracing ? { tracing: await openTracing(tracing, log) } : {}),
  };
  return options;
}

/** Loaded only with --tracing-otlp-endpoint: the exporter brings OpenTelemetry and grpc-js. */
async function openTracing(options: Omit<TracingOptions, 'log'>, log: Logger): Promise<Tracing> {
  const { Tracing } = await import('../observe/trace-export.ts');
  return new Tracing({ ...options, log: (level, msg, fields) => log[level](fields, msg) });
}

type AccessLogFlags = Partial<Pick<ServeFlags, 'accessLog' | 'accessLogFormat' | 'accessLogFlushInterval' | 'accessLogSampleRate' | 'accessLogListeners'>>;

/** --access-log, --access-log-format, --access-log-flush-interval, --access-log-sample-rate, --access-log-listeners: undefined when off. */
export function accessLogFromFlags(f: AccessLogFlags): AccessLog | undefined {
  const intervalMs = positiveNumber(f.accessLogFlushInterval ?? serveDefaults.accessLogFlushInterval, '--access-log-flush-interval');
  const filter = accessLogFilterFromFlags(f);
  return openAccessLog(f.accessLog ?? serveDefaults.accessLog, f.accessLogFormat ?? serveDefaults.accessLogFormat, { intervalMs, ...(filter && { filter }) });
}

function accessLogFilterFromFlags(f: AccessLogFlags): AccessLogFilter | undefined {
  return accessLogFilter({ ...(f.accessLogSampleRate !== undefined && { sampleRate: f.accessLogSampleRate }), ...(f.accessLogListeners !== undefined && { listeners: f.accessLogListeners }) });
}

/**
 * Runs until SIGTERM/SIGINT, then drains and exits 0. `--workers N`: a primary runs the control plane
 * (primary.ts) and N workers the data plane (worker.ts).
 */
export async function runServe(f: ServeFlags): Promise<void> {
  checkXdsFlags(f);
  const workers = positiveNumber(f.workers ?? '1', '--workers');
  if (!Number.isInteger(workers)) throw new SluiceError('SLUICE_ERR_BAD_FLAG', `--workers: "${f.workers}" must be a whole number`);
  if (workers === 1) return serveInThisProcess(f);
  const log = createLogger(f.logLevel);
  if (cluster.isWorker) return runAsWorker(() => serveWorker(f, log));
  // Flags are checked here, before any worker is forked, so a bad one ends with one line.
  const times = shutdownTimes(f);
  if (!f.kubernetes && !f.config) throw new SluiceError('SLUICE_ERR_BAD_FLAG', 'serve needs --config DIR or --kubernetes');
  limitsFromFlags(f);
  listenerSettingsFromFlags(f);
  translateOptionsFromFlags(f, requiresClass(f));
  for (const [value, flag] of [[f.http, '--http'], [f.https, '--https'], [f.local, '--local']] as const) parseAddress(value, flag);
  adminTokenFromFlags(parseAddress(f.admin, '--admin').host, f.adminTokenFile, f.adminInsecure === true);
  if (f.defaultCert) readDefaultCert(f.defaultCert);
  compileFormat(f.accessLogFormat ?? serveDefaults.accessLogFormat);
  accessLogFilterFromFlags(f);
  tracingOptionsFromFlags(f);
  return runPrimary(f, workers, log, times);
}

function shutdownTimes(f: Pick<ServeFlags, 'drainDelay' | 'drainTimeout'>): { drainDelayMs: number; drainTimeoutMs: number } {
  return { drainDelayMs: nonNegativeNumber(f.drainDelay, '--drain-delay') * 1000, drainTimeoutMs: positiveNumber(f.drainTimeout, '--drain-timeout') * 1000 };
}

async function serveInThisProcess(f: ServeFlags): Promise<void> {
  const log = createLogger(f.logLevel);
  const { drainDelayMs } = shutdownTimes(f);
  const options = await buildGatewayOptions(f, log);
  const gateway = await Gateway.start(options);
  // Kubernetes mode writes status back (leader only); the source's stop() also stops that.
  const status = writesStatus(options.source) ? options.source.startStatus(gateway.pipeline.feed, () => gateway.pipeline.result?.objectStatuses ?? []) : undefined;
  if (status) gateway.setStatusView(() => status.statuses());
  const xds = f.xds ? await startXds(f, gateway.pipeline.feed, gateway.addresses, log).catch(async (err: unknown) => {
    await gateway.stop();
    throw err;
  }) : undefined;
  stopOnSignals(
    log,
    async () => {
      await xds?.close();
      await gateway.stop();
      // Lines of the requests drained above are still buffered.
      await options.accessLog?.close();
      await options.tracing?.close();
    },
    {
      drainDelayMs,
      begin: () => {
        gateway.failReadiness();
        // Hand leadership over now rather than after the delay: this replica is leaving.
        void status?.stop();
      },
    },
  );
}

/** The Envoy control plane (--xds) serves the same snapshots as the data plane. */
export async function startXds(f: ServeFlags, feed: SnapshotFeed, addresses: GatewayAddresses, log: Logger): Promise<{ close(): Promise<void> }> {
  const { startXdsServer } = await import('../xds/server.ts');
  const xds = await startXdsServer({
    ...(await xdsSecurityFromFlags(f)),
    address: f.xds!,
    feed,
    // Envoy listens where Sluice's own listeners are bound (ports picked with :0 resolved).
    listenerAddresses: {
      externalAddress: addresses.http ?? f.http,
      externalTlsAddress: addresses.https ?? f.https,
      localAddress: addresses.local ?? f.local,
      normalizePath: f.normalizePath !== false,
      listenerSettings: listenerSettingsFromFlags(f),
    },
    log: log.child({ component: 'xds' }),
  });
  log.info({ listener: 'xds', address: xds.address }, 'listening');
  return xds;
}

export interface ShutdownSteps {
  /**
   * On SIGTERM, how long to keep serving after readiness fails, while Kubernetes removes this pod's
   * endpoints elsewhere; SIGINT (Ctrl-C) and a second signal skip it.
   */
  readonly drainDelayMs?: number;
  /** run at once on the first signal (fail readiness, hand over leadership) */
  readonly begin?: () => void;
  /** the signals that stop (default SIGTERM and SIGINT) */
  readonly signals?: readonly NodeJS.Signals[];
}

export function stopOnSignals(log: Logger, stop: () => Promise<void>, steps: ShutdownSteps = {}): void {
  let stopping = false;
  let endDelay: (() => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return endDelay?.();
    stopping = true;
    steps.begin?.();
    const delayMs = signal === 'SIGTERM' ? (steps.drainDelayMs ?? 0) : 0;
    if (delayMs > 0) log.info({ signal, drainDelayMs: delayMs }, 'shutting down: not ready, still serving until the drain delay ends');
    const delay = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delayMs);
      endDelay = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    delay
      .then(() => {
        log.info({ signal }, 'shutting down: draining in-flight requests');
        return stop();
      })
      .then(
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
  for (const signal of steps.signals ?? ['SIGTERM', 'SIGINT']) process.on(signal, onSignal);
}
