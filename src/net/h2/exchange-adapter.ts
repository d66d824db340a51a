// What the proxy's HTTP/2 front end (src/proxy/h2core/) takes from the core's stream: the request's
// plain facts (requestFacts, used for every stream). bodyReadable/responseWritable are the minimal
// Readable/Writable pair over a stream; the front end's piping paths use the fuller node:http2-shaped
// Duplex of src/proxy/h2core/compat-stream.ts instead (trailers, resets by code, the events the
// node:http2 paths listen for), and its fast path writes to the stream directly.
import { Readable, Writable } from 'node:stream';
import { CANCEL } from './frames.ts';
import type { H2Stream } from './stream.ts';

export interface H2RequestFacts {
  method: string;
  authority: string | undefined;
  path: string | undefined;
  /** Regular fields, with `host` from :authority first when the client sent none, cookies joined. */
  raw: string[];
  bodyless: boolean;
}

/** What h2.ts builds from node:http2's headers today, from the core's stream. */
export function requestFacts(stream: H2Stream): H2RequestFacts {
  const fields = stream.headers;
  const raw: string[] = [];
  let hasHost = false;
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === 'host') hasHost = true;
  if (stream.authority !== undefined && !hasHost) raw.push('host', stream.authority);
  let cookieAt = -1;
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i]!;
    // One Cookie line for the upstream (RFC 9113 8.2.3).
    if (name === 'cookie') {
      if (cookieAt >= 0) {
        raw[cookieAt] += `; ${fields[i + 1]!}`;
        continue;
      }
      cookieAt = raw.length + 1;
    }
    raw.push(name, fields[i + 1]!);
  }
  return { method: stream.method, authority: stream.authority, path: stream.path, raw, bodyless: stream.endStream };
}

/**
 * The request body as a Readable. Bytes are consumed (the client's window reopens) as the Readable
 * hands them on: while its buffer is full, what arrived stays unconsumed and the client waits.
 */
export function bodyReadable(stream: H2Stream): Readable {
  let owed = 0;
  const body = new Readable({
    read() {
      if (owed > 0) {
        const n = owed;
        owed = 0;
        stream.consume(n);
      }
    },
    destroy(err, cb) {
      if (!stream.closed && !stream.remoteClosed) stream.reset(CANCEL);
      cb(err);
    },
  });
  stream.read(
    (chunk) => {
      if (body.push(chunk)) stream.consume(chunk.length);
      else owed += chunk.length;
    },
    () => body.push(null),
  );
  const previous = stream.onClose;
  stream.onClose = (code, byPeer) => {
    previous(code, byPeer);
    if (code !== 0 && !body.destroyed) body.destroy(new Error(`stream closed with code ${code}`));
  };
  return body;
}

/** The response body as a Writable (after stream.respond): write() and onDrain behind pipe's backpressure. */
export function responseWritable(stream: H2Stream, trailers?: () => string[] | undefined): Writable {
  let pending: ((err?: Error | null) => void) | undefined;
  stream.onDrain = () => {
    const cb = pending;
    pending = undefined;
    cb?.();
  };
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (stream.closed) return cb(new Error('stream closed'));
      if (stream.write(chunk)) cb();
      else pending = cb;
    },
    final(cb) {
      stream.end(trailers?.());
      cb();
    },
    destroy(err, cb) {
      if (err && !stream.closed) stream.reset(CANCEL);
      cb(err);
    },
  });
}

/** Bytes either way on this stream alone (node:http2 could only give the connection's). */
export function streamActivity(stream: H2Stream): number {
  return stream.bytesIn + stream.bytesOut;
}
