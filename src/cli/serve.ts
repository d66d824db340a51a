// `sluice serve`: flags (serve-flags.ts) -> source, options -> Gateway, one process or --workers.
// Bad flags and unusable addresses end with one clear line.
import cluster from 'node:cluster';
import { adminTokenFromFlags } from '../admin/auth.ts';
import { SluiceError } from '../errors.ts';
import { Gateway, type GatewayAddresses, type GatewayOptions } from '../gateway.ts';
import { createLogger, type Logger } from '../log.ts';
import { type AccessLog, openAccessLog } from '../observe/access-log.ts';
import { compileFormat } from '../observe/access-log-format.ts';
import { type AccessLogFilter, accessLogFilter } from '../observe/access-log-filter.ts';
import { RequestIds } from '../observe/request-id.ts';
import type { Tracing, TracingOptions } from '../observe/trace-export.ts';
import { tracingOptionsFromFlags } from '../observe/trace-flags.ts';
import { parseAddress } from '../net/address.ts';
import { readDefaultCert } from '../proxy/tls.ts';
import type { SnapshotFeed } from '../snapshot/feed.ts';
import type { IngressStatusReport, ObjectStatus } from '../snapshot/types.ts';
import { FileSource } from '../sources/file.ts';
import type { Source } from '../sources/types.ts';
import { appliedGcThreads } from './gc-threads.ts';
import { GatewayHeapRelease } from './heap-release.ts';
import { runPrimary } from './primary.ts';
import { serveWorker } from './worker.ts';
import { runAsWorker } from './workers.ts';
import { checkXdsFlags, xdsSecurityFromFlags } from './xds-flags.ts';
import { listenerSettingsFromFlags } from './listener-flags.ts';
import { LiveListenerSettings } from '../proxy/listener-settings.ts';
import { configLimitsFromFlags, limitsFromFlags, namespacedName, positiveNumber, requiresClass, type ServeFlags, serveDefaults, shutdownTimes, translateOptionsFromFlags, wholeAtLeastOne } from './serve-flags.ts';
import { stopOnSignals } from './stop-on-signals.ts';

// Flags and shutdown live in their own modules; re-exported so every import of serve.ts still works.
export { configLimitsFromFlags, ipAddress, limitsFromFlags, namespacedName, nonNegativeNumber, portOffset, positiveNumber, requiresClass, serveDefaults, translateOptionsFromFlags, type ServeFlags } from './serve-flags.ts';
export { type ShutdownSteps, stopOnSignals } from './stop-on-signals.ts';

/** A source that also writes status back (Kubernetes mode) once the gateway serves. */
type StatusSource = Source & { startStatus(feed: SnapshotFeed, objectStatuses?: () => readonly ObjectStatus[]): { statuses(): readonly IngressStatusReport[]; stop(): Promise<void>; onSettled(listener: () => void): () => void } };
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
  logGcThreads(log);
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


/** Whether V8's GC runs on the main thread only here, and why (gc-threads.ts). */
function logGcThreads(log: Logger): void {
  const gc = appliedGcThreads();
  if (gc) log.info({ gc: gc.singleThreaded ? 'single-threaded' : 'parallel', reason: gc.reason }, 'V8 garbage collection');
}

async function serveInThisProcess(f: ServeFlags): Promise<void> {
  const log = createLogger(f.logLevel);
  logGcThreads(log);
  const { drainDelayMs } = shutdownTimes(f);
  // Made before the first load, so that the load counts as the heap's growth.
  const heap = new GatewayHeapRelease();
  const options = await buildGatewayOptions(f, log);
  const gateway = await Gateway.start(options);
  heap.follow(gateway.pipeline.feed);
  // Kubernetes mode writes status back (leader only); the source's stop() also stops that.
  const status = writesStatus(options.source) ? options.source.startStatus(gateway.pipeline.feed, () => gateway.pipeline.result?.objectStatuses ?? []) : undefined;
  if (status) gateway.setStatusView(() => status.statuses());
  // The leader's probes and status writes leave garbage as a load does: looked at once they are done.
  status?.onSettled(() => heap.published());
  const xds = f.xds ? await startXds(f, gateway.pipeline.feed, gateway.addresses, log).catch(async (err: unknown) => {
    await gateway.stop();
    throw err;
  }) : undefined;
  stopOnSignals(
    log,
    async () => {
      heap.stop();
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
