// Sluice as a library (the package's main export): createGateway() starts the same gateway as
// `sluice serve --config DIR`, in the embedding process, and hands back a small handle. Only what
// is exported here is the package's API; the modules behind it may change in any release.
import { SluiceError } from './errors.ts';
import { Gateway, type GatewayAddresses } from './gateway.ts';
import { type Logger, silentLogger } from './log.ts';
import { parseAddress, type HostPort } from './net/address.ts';
import type { KeyPairPem } from './proxy/tls.ts';
import type { SnapshotFeed } from './snapshot/feed.ts';
import { FileSource } from './sources/file.ts';
import type { ConfigLimits } from './sources/read-file.ts';
import type { Source } from './sources/types.ts';
import { defaultTranslateOptions, type TranslateOptions } from './translate/options.ts';

export interface CreateGatewayOptions {
  /**
   * a directory of Knative Ingress, Service, EndpointSlice and Secret YAML, watched for changes
   * (what `sluice serve --config` reads); or give `source`
   */
  readonly config?: string;
  /** any other source of resources (exactly one of `config` and `source`) */
  readonly source?: Source;
  /** config file size and document limits for `config` (the defaults of `sluice serve`) */
  readonly configLimits?: ConfigLimits;
  /** `host:port` of the external HTTP listener; port 0 picks a free port (see `addresses`) */
  readonly http?: string;
  /** `host:port` of the external TLS listener */
  readonly https?: string;
  /** `host:port` of the cluster-local listener */
  readonly local?: string;
  /** `host:port` of the admin endpoint (/status, /metrics, /ready, /live) */
  readonly admin?: string;
  /** `host:port` of the health endpoint (/ready and /live only) */
  readonly health?: string;
  /** certificate for TLS clients whose SNI names no spec.tls host */
  readonly defaultCert?: KeyPairPem;
  /** cluster domain, ingress class and the load balancer domains of the status */
  readonly translate?: Partial<TranslateOptions>;
  /** pino logger (default: silent) */
  readonly log?: Logger;
  /** ms in-flight requests get to finish on stop() (default 30 000) */
  readonly drainTimeoutMs?: number;
  /** also export Node process metrics (default false: the embedding process owns those) */
  readonly processMetrics?: boolean;
}

/** A running gateway. */
export interface SluiceGateway {
  /** `host:port` each listener is bound to, by listener name */
  readonly addresses: Readonly<GatewayAddresses>;
  /** the snapshots served: current() and subscribe() to follow configuration changes */
  readonly snapshots: SnapshotFeed;
  /** the gateway's metrics in the Prometheus text format (what the admin endpoint's /metrics serves) */
  metrics(): Promise<string>;
  /** true once the first configuration is served, until stop() */
  ready(): boolean;
  /** graceful: stops accepting, lets in-flight requests finish (up to drainTimeoutMs), closes pools */
  stop(): Promise<void>;
}

const LISTENERS = ['http', 'https', 'local', 'admin', 'health'] as const;

/**
 * Starts a gateway; resolves once every listener is bound and the whole configuration has been
 * read and is served. Rejects with a SluiceError (its message names the option) when an option is
 * unusable or a listener cannot bind.
 */
export async function createGateway(options: CreateGatewayOptions): Promise<SluiceGateway> {
  if ((options.config === undefined) === (options.source === undefined)) {
    throw new SluiceError('SLUICE_ERR_BAD_FLAG', 'createGateway: give exactly one of the options config and source');
  }
  const addresses: Partial<Record<(typeof LISTENERS)[number], HostPort>> = {};
  for (const name of LISTENERS) {
    const value = options[name];
    if (value !== undefined) addresses[name] = parseAddress(value, `createGateway option ${name}`);
  }
  if (!addresses.http && !addresses.https && !addresses.local) {
    throw new SluiceError('SLUICE_ERR_BAD_FLAG', 'createGateway: give at least one listener (http, https or local)');
  }
  const log = options.log ?? silentLogger();
  const source =
    options.source ??
    new FileSource({
      dir: options.config!,
      ...(options.configLimits && { limits: options.configLimits }),
      log: (level, msg, fields) => log[level](fields ?? {}, msg),
    });
  const gw = await Gateway.start({
    source,
    translate: { ...defaultTranslateOptions, ...options.translate },
    ...addresses,
    ...(options.defaultCert && { defaultCert: options.defaultCert }),
    ...(options.drainTimeoutMs !== undefined && { drainTimeout: options.drainTimeoutMs }),
    processMetrics: options.processMetrics ?? false,
    log,
  });
  return {
    addresses: gw.addresses,
    snapshots: gw.pipeline.feed,
    metrics: () => gw.metrics.registry.metrics(),
    ready: () => gw.readiness().ready,
    stop: () => gw.stop(),
  };
}

export type { KIngress, Service, EndpointSlice, Endpoints, Secret, Resource, Rejection, FieldError, Origin, Sourced } from './api/types.ts';
export { INGRESS_CLASS_ANNOTATION, DEFAULT_INGRESS_CLASS } from './api/types.ts';
export { SluiceError, type ErrorCode } from './errors.ts';
export type { GatewayAddresses } from './gateway.ts';
export type { Logger } from './log.ts';
export type { KeyPairPem } from './proxy/tls.ts';
export type { SnapshotFeed } from './snapshot/feed.ts';
export type { ConfigLimits } from './sources/read-file.ts';
export type { Source, SourceState, SourceChanges } from './sources/types.ts';
export type { TranslateOptions } from './translate/options.ts';
export { SLUICE_VERSION, KNATIVE_SERVING, GATEWAY_API, versionInfo, type VersionInfo } from './version.ts';
