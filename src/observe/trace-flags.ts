// `serve`'s tracing flags to TracingOptions: checked once at start, each problem one line naming
// its flag. Tracing is off unless --tracing-otlp-endpoint is given; the other flags need it.
import { SluiceError } from '../errors.ts';
import type { TracingOptions } from './trace-export.ts';

export interface TracingFlags {
  tracingOtlpEndpoint?: string;
  tracingProtocol?: string;
  tracingSampleRate?: string;
  tracingServiceName?: string;
  tracingResourceAttributes?: string;
  tracingFlushInterval?: string;
}

export const tracingDefaults = { protocol: 'http', sampleRate: '1', serviceName: 'sluice', flushInterval: '5000' } as const;

const bad = (flag: string, message: string): SluiceError => new SluiceError('SLUICE_ERR_BAD_FLAG', `${flag}: ${message}`);

/** undefined when tracing is off; throws a flag error for a bad value, or a tracing flag without an endpoint. */
export function tracingOptionsFromFlags(f: TracingFlags): Omit<TracingOptions, 'log'> | undefined {
  if (f.tracingOtlpEndpoint === undefined || f.tracingOtlpEndpoint === '') {
    const stray = (['tracingProtocol', 'tracingSampleRate', 'tracingServiceName', 'tracingResourceAttributes', 'tracingFlushInterval'] as const).find((k) => f[k] !== undefined);
    if (stray !== undefined) throw bad(`--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, 'needs --tracing-otlp-endpoint (tracing is off without it)');
    return undefined;
  }
  return {
    endpoint: endpoint(f.tracingOtlpEndpoint),
    protocol: protocol(f.tracingProtocol ?? tracingDefaults.protocol),
    sampleRate: rate(f.tracingSampleRate ?? tracingDefaults.sampleRate),
    serviceName: serviceName(f.tracingServiceName ?? tracingDefaults.serviceName),
    resourceAttributes: resourceAttributes(f.tracingResourceAttributes ?? ''),
    flushIntervalMs: interval(f.tracingFlushInterval ?? tracingDefaults.flushInterval),
  };
}

function endpoint(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad('--tracing-otlp-endpoint', `"${value}" is not a URL (for example http://otel-collector:4318)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad('--tracing-otlp-endpoint', `"${value}" must be an http:// or https:// URL`);
  if (url.username !== '' || url.password !== '') throw bad('--tracing-otlp-endpoint', 'must not carry credentials');
  return url;
}

function protocol(value: string): 'http' | 'grpc' {
  if (value === 'http' || value === 'grpc') return value;
  throw bad('--tracing-protocol', `"${value}" must be http (OTLP/HTTP protobuf) or grpc`);
}

function rate(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw bad('--tracing-sample-rate', `"${value}" must be a number from 0 to 1`);
  return n;
}

function serviceName(value: string): string {
  if (value.trim() === '' || value.length > 256) throw bad('--tracing-service-name', 'must be 1 to 256 characters');
  return value;
}

function interval(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw bad('--tracing-flush-interval', `"${value}" must be a positive number of milliseconds`);
  return n;
}

/** `key=value,key=value`, as OTEL_RESOURCE_ATTRIBUTES (values may be percent-encoded). */
export function resourceAttributes(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (value.trim() === '') return out;
  for (const pair of value.split(',')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? '' : pair.slice(0, eq).trim();
    if (key === '') throw bad('--tracing-resource-attributes', `"${pair}" must be key=value`);
    let v: string;
    try {
      v = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      throw bad('--tracing-resource-attributes', `"${pair}": bad percent-encoding`);
    }
    out[key] = v;
  }
  return out;
}
