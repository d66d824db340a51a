// Function discovery over gRPC server reflection (what Gloo's discovery does for HTTP/2
// upstreams): the services a server offers, less reflection and health, their methods, and the
// FileDescriptorSet (with every dependency) a GrpcJsonCall needs. v1 first, then v1alpha for
// older servers. Bounded in time; failures are returned, never thrown.
import http2 from 'node:http2';
import { loadDescriptorSet, stringField, submessages } from '../grpc-json/descriptor-set.ts';
import type { DiscoveredFunction } from '../types.ts';
import { REFLECTION_PATHS } from './messages.ts';
import { ReflectionStatusError, ReflectionStream } from './stream.ts';

export interface DiscoverOptions {
  /** the whole discovery's bound; default 5 s */
  readonly timeoutMs?: number;
  /** `:authority` sent (the upstream's host name); default address:port */
  readonly authority?: string;
  readonly signal?: AbortSignal;
  /** speak HTTP/2 over TLS (an upstream with TLS); the system CAs unless `ca` is given */
  readonly tls?: {
    readonly ca?: string | Buffer;
    /** SNI and the name checked; default the authority's host */
    readonly servername?: string;
    readonly rejectUnauthorized?: boolean;
  };
}

export interface DiscoveredService {
  readonly name: string;
  readonly functions: readonly DiscoveredFunction[];
}

export type DiscoveryResult =
  | {
      readonly ok: true;
      /** which reflection API answered */
      readonly api: 'v1' | 'v1alpha';
      readonly services: readonly DiscoveredService[];
      /** every method of every service, in order */
      readonly functions: readonly DiscoveredFunction[];
      /** google.protobuf.FileDescriptorSet, base64, dependencies before the files that import them */
      readonly descriptorSet: string;
    }
  | { readonly ok: false; readonly error: string };

const NOT_FUNCTIONS = [/^grpc\.reflection\./, /^grpc\.health\.v1\.Health$/];

/** Files by name, fetched until every dependency is present. */
async function collectFiles(stream: ReflectionStream, services: readonly string[]): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  const add = (protos: Uint8Array[] | undefined) => {
    for (const p of protos ?? []) files.set(stringField(p, 1), p);
  };
  for (const name of services) {
    const r = await stream.request({ file_containing_symbol: name });
    if (r.error_response) throw new Error(`reflection has no file for ${name}: ${r.error_response.error_message}`);
    add(r.file_descriptor_response?.file_descriptor_proto);
  }
  for (;;) {
    const missing = [...files.values()].flatMap((f) => submessages(f, 3).map((d) => Buffer.from(d).toString('utf8'))).find((d) => !files.has(d));
    if (missing === undefined) return files;
    const r = await stream.request({ file_by_filename: missing });
    if (r.error_response || !r.file_descriptor_response?.file_descriptor_proto.some((p) => stringField(p, 1) === missing)) {
      throw new Error(`reflection cannot give ${missing}: ${r.error_response?.error_message ?? 'not in the answer'}`);
    }
    add(r.file_descriptor_response.file_descriptor_proto);
  }
}

/** Dependencies first, then by name; a FileDescriptorSet is read in this order. */
function dependencyOrder(files: Map<string, Uint8Array>): Uint8Array[] {
  const out: Uint8Array[] = [];
  const done = new Set<string>();
  const visit = (name: string, path: Set<string>) => {
    const file = files.get(name);
    if (!file || done.has(name) || path.has(name)) return;
    path.add(name);
    for (const d of submessages(file, 3)) visit(Buffer.from(d).toString('utf8'), path);
    done.add(name);
    out.push(file);
  };
  for (const name of [...files.keys()].sort()) visit(name, new Set());
  return out;
}

function encodeSet(files: Uint8Array[]): string {
  const parts: Buffer[] = [];
  for (const f of files) {
    // field 1, length-delimited: tag 0x0a, varint length, bytes
    const len: number[] = [];
    for (let n = f.length; ; n >>>= 7) {
      if (n < 0x80) {
        len.push(n);
        break;
      }
      len.push((n & 0x7f) | 0x80);
    }
    parts.push(Buffer.from([0x0a, ...len]), Buffer.from(f));
  }
  return Buffer.concat(parts).toString('base64');
}

async function discoverWith(session: http2.ClientHttp2Session, api: 'v1' | 'v1alpha', authority: string): Promise<DiscoveryResult & { ok: true }> {
  const stream = new ReflectionStream(session, REFLECTION_PATHS[api], authority);
  try {
    const listed = await stream.request({ list_services: '*' });
    if (listed.error_response) throw new Error(`list_services: ${listed.error_response.error_message}`);
    const names = (listed.list_services_response?.service ?? []).map((s) => s.name).filter((n) => !NOT_FUNCTIONS.some((re) => re.test(n)));
    names.sort();
    const descriptorSet = encodeSet(dependencyOrder(await collectFiles(stream, names)));
    const { methods } = names.length ? loadDescriptorSet(descriptorSet, names) : { methods: [] };
    const services = names.map((name) => ({
      name,
      functions: methods.filter((m) => m.service === name).map((m): DiscoveredFunction => ({ name: `${m.service}.${m.name}`, kind: 'grpc', grpcPath: m.grpcPath })),
    }));
    return { ok: true, api, services, functions: services.flatMap((s) => s.functions), descriptorSet };
  } finally {
    stream.close();
  }
}

/** Discovers a gRPC server's functions through reflection; the result says what went wrong instead of throwing. */
export async function discoverGrpc(address: string, port: number, opts: DiscoverOptions = {}): Promise<DiscoveryResult> {
  const host = address.includes(':') ? `[${address}]` : address;
  const authority = opts.authority ?? `${host}:${port}`;
  const timeoutMs = opts.timeoutMs ?? 5000;
  const session = opts.tls
    ? http2.connect(`https://${host}:${port}`, {
        ...(opts.tls.ca ? { ca: opts.tls.ca } : {}),
        ...(opts.tls.servername ? { servername: opts.tls.servername } : {}),
        rejectUnauthorized: opts.tls.rejectUnauthorized ?? true,
        ALPNProtocols: ['h2'],
      })
    : http2.connect(`http://${host}:${port}`);
  session.on('error', () => {}); // surfaced through the streams
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const bounded = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    onAbort = () => reject(new Error('discovery was cancelled'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
  const run = async (): Promise<DiscoveryResult> => {
    try {
      return await discoverWith(session, 'v1', authority);
    } catch (err) {
      // UNIMPLEMENTED: a server from before v1 may still speak v1alpha
      if (!(err instanceof ReflectionStatusError && err.code === 12)) throw err;
      return await discoverWith(session, 'v1alpha', authority);
    }
  };
  try {
    if (opts.signal?.aborted) throw new Error('discovery was cancelled');
    return await Promise.race([run(), bounded]);
  } catch (err) {
    return { ok: false, error: `gRPC reflection at ${authority}: ${(err as Error).message}` };
  } finally {
    clearTimeout(timer);
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
    session.destroy();
  }
}
