// Request mirrors (Gateway API RequestMirror, Envoy's request_mirror_policies): for a route's
// `percent` of requests, a copy of the request as sent upstream (method, target after rewrites,
// headers after edits) goes to the mirror cluster, whose answer is read and discarded. A mirror
// never delays or fails the main exchange: it has its own undici pool, and any error is only
// counted. Host gets Envoy's `-shadow` suffix (before any port), so a mirror backend and the logs
// can tell copies from originals; the Gateway API conformance test only asks that the mirror
// receive the request.
//
// A request body is copied as it streams to the main upstream, never read ahead for the mirror: a
// copy may hold at most MIRROR_BODY_LIMIT bytes not yet taken by the mirror upstream; past that
// (the mirror is slower than the client) the copy is dropped, counted `dropped`.
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { DataPlane } from './dataplane.ts';
import type { Mirror } from './router.ts';

/** Bytes of request body a mirror copy may buffer before it is dropped. */
export const MIRROR_BODY_LIMIT = 1024 * 1024;

/** Where a front end copies the request body it streams upstream. */
export interface BodyCopy {
  write(chunk: Buffer): void;
  end(): void;
  /** the client's body was cut short: the copies are abandoned */
  abort(): void;
}

/** What a mirror copies from the exchange. */
export interface MirrorRequest {
  readonly method: string;
  readonly url: string;
  /** the upstream request headers, [name, value, ...], `host` first */
  readonly headers: readonly string[];
  readonly bodyless: boolean;
}

export type MirrorOutcome = 'sent' | 'failed' | 'dropped' | 'no_endpoints';

/** `host` or `host:port` with `-shadow` after the host name, as Envoy does. */
export function shadowHost(host: string): string {
  // An IPv6 literal's colons are not a port's.
  const colon = host.lastIndexOf(':');
  if (colon > 0 && host.indexOf(']') < colon && (host[0] === '[' || host.indexOf(':') === colon)) {
    return `${host.slice(0, colon)}-shadow${host.slice(colon)}`;
  }
  return `${host}-shadow`;
}

/** Whether a mirror of `percent` takes this request; `roll` is uniform on [0, 1). */
export function mirrored(percent: number, roll: number): boolean {
  return percent >= 100 || roll * 100 < percent;
}

/**
 * Sends the copies this request takes; returns where to copy its body, or undefined when nothing
 * is mirrored or the request has no body.
 */
export function startMirrors(dp: DataPlane, mirrors: readonly Mirror[], req: MirrorRequest): BodyCopy | undefined {
  let bodies: MirrorBody[] | undefined;
  for (const m of mirrors) {
    if (!mirrored(m.percent, Math.random())) continue;
    const pick = dp.upstreams.pick(m.cluster);
    if (pick === undefined) {
      count(dp, m.cluster.name, 'no_endpoints');
      continue;
    }
    // A copy: the mirror's Host differs.
    const headers = [...req.headers];
    headers[1] = shadowHost(headers[1] ?? '');
    const body = req.bodyless ? null : new MirrorBody(dp, m.cluster.name);
    if (body !== null) (bodies ??= []).push(body);
    const settle = once((outcome: MirrorOutcome) => count(dp, m.cluster.name, outcome));
    body?.onDrop(() => settle('dropped'));
    pick.pool
      .request({ method: req.method as Dispatcher.HttpMethod, path: req.url, headers, body })
      .then(
        (res) => {
          res.body.on('error', () => {});
          res.body.resume();
          settle('sent');
        },
        () => settle('failed'),
      );
  }
  if (bodies === undefined) return undefined;
  return bodies.length === 1 ? bodies[0] : new Copies(bodies);
}

function count(dp: DataPlane, cluster: string, outcome: MirrorOutcome): void {
  dp.metrics.mirrors.labels(cluster, outcome).inc();
}

function once<T>(f: (v: T) => void): (v: T) => void {
  let done = false;
  return (v) => {
    if (done) return;
    done = true;
    f(v);
  };
}

/** One mirror's copy of the body: a stream undici reads, bounded by MIRROR_BODY_LIMIT. */
class MirrorBody extends Readable implements BodyCopy {
  #dropped = false;
  #ended = false;
  #onDrop: (() => void) | undefined;

  constructor(
    readonly dp: DataPlane,
    readonly cluster: string,
  ) {
    super({ highWaterMark: MIRROR_BODY_LIMIT });
  }

  override _read(): void {}

  onDrop(f: () => void): void {
    this.#onDrop = f;
  }

  write(chunk: Buffer): void {
    if (this.#dropped || this.destroyed) return;
    // The copy must not share the buffer the front end may reuse.
    this.push(Buffer.from(chunk));
    if (this.readableLength > MIRROR_BODY_LIMIT) this.abort();
  }

  end(): void {
    if (this.#dropped || this.#ended || this.destroyed) return;
    this.#ended = true;
    this.push(null);
  }

  abort(): void {
    if (this.#dropped || this.#ended) return;
    this.#dropped = true;
    this.#onDrop?.();
    this.destroy(new Error('mirror dropped'));
  }
}

/** Several mirrors of one request. */
class Copies implements BodyCopy {
  constructor(readonly list: readonly BodyCopy[]) {}
  write(chunk: Buffer): void {
    for (const c of this.list) c.write(chunk);
  }
  end(): void {
    for (const c of this.list) c.end();
  }
  abort(): void {
    for (const c of this.list) c.abort();
  }
}

/**
 * Copies a node stream's body (node:http, HTTP/2) as it is read for the main upstream. Call it
 * only once the stream is piped there: a 'data' listener alone would start it flowing early.
 */
export function copyStream(from: NodeJS.EventEmitter, copy: BodyCopy): void {
  from.on('data', (chunk: Buffer) => copy.write(chunk));
  from.on('end', () => copy.end());
  from.on('aborted', () => copy.abort());
  from.on('error', () => copy.abort());
  from.on('close', () => copy.abort());
}
