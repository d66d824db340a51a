// The own core's stream (src/net/h2/stream.ts) dressed as the part of node:http2's
// ServerHttp2Stream that the piping paths use (h2-proxy.ts, h2-websocket.ts, the body policies,
// h2-stream-guard.ts, client-deadlines.ts): a Duplex whose readable side is the request body (the
// client's window reopens as the consumer reads), whose writable side is the response body, with
// respond()/sendTrailers()/close() and the 'wantTrailers' and 'close' events node emits. Built
// only for those paths: local replies and the bodiless raw HTTP/1.1 path write to the core stream
// directly (raw-h1.ts) and never make one.
import type http2 from 'node:http2';
import { Duplex } from 'node:stream';
import { CANCEL, INTERNAL_ERROR, NO_ERROR } from '../../net/h2/frames.ts';
import type { H2Stream } from '../../net/h2/stream.ts';
import { refusedField } from './reply.ts';

interface RespondOptions {
  readonly endStream?: boolean;
  readonly waitForTrailers?: boolean;
}

export class CoreHttp2Stream extends Duplex {
  readonly core: H2Stream;
  sentHeaders: http2.OutgoingHttpHeaders = {};
  /** RST_STREAM code once closed (NO_ERROR after a clean finish); undefined while open */
  rstCode: number | undefined = undefined;
  #waitForTrailers = false;
  /** body bytes handed on while the Readable was full: consumed when it asks for more */
  #owed = 0;
  #pendingWrite: ((err?: Error | null) => void) | undefined = undefined;

  constructor(core: H2Stream) {
    // Not autoDestroy: both sides done is not the stream done (queued DATA, trailers still to go);
    // the core says when it is (onClose), as nghttp2 does for node:http2's streams.
    super({ allowHalfOpen: true, autoDestroy: false });
    this.core = core;
    // Pipes and guards look at close codes and flags; an unheard 'error' would throw.
    this.on('error', ignore);
    core.onDrain = () => {
      const cb = this.#pendingWrite;
      this.#pendingWrite = undefined;
      cb?.();
    };
    core.onClose = (code, byPeer) => {
      // As node:http2: 'aborted' when the client cut the stream before its request ended (mirror.ts listens).
      if (code !== NO_ERROR && byPeer && !this.readableEnded) this.emit('aborted');
      this.#coreClosed(code);
    };
    core.read(
      (chunk) => {
        if (this.destroyed) return core.consume(chunk.length);
        if (this.push(chunk)) core.consume(chunk.length);
        else this.#owed += chunk.length;
      },
      () => {
        if (!this.destroyed) this.push(null);
      },
    );
    if (core.closed) this.#coreClosed(NO_ERROR);
  }

  get headersSent(): boolean {
    return this.core.headersSent;
  }

  respond(headers: http2.OutgoingHttpHeaders, options?: RespondOptions): void {
    if (this.core.closed) throw new Error('the stream is closed');
    if (this.core.headersSent) throw new Error('response head already sent');
    const status = Number(headers[':status'] ?? 200);
    const pairs = headerPairs(headers);
    this.sentHeaders = headers;
    this.#waitForTrailers = options?.waitForTrailers === true;
    const endStream = options?.endStream === true;
    this.core.respond(status, pairs, endStream);
    if (endStream) super.end();
  }

  sendTrailers(headers: http2.OutgoingHttpHeaders): void {
    if (this.core.closed) throw new Error('the stream is closed');
    this.core.end(headerPairs(headers));
  }

  /** node:http2's close(code): RST_STREAM with the code (NO_ERROR included). */
  close(code: number = NO_ERROR): void {
    if (!this.core.closed) this.core.reset(code);
  }

  override _read(): void {
    const n = this.#owed;
    if (n > 0) {
      this.#owed = 0;
      this.core.consume(n);
    }
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const core = this.core;
    if (core.closed) return cb();
    if (!core.headersSent) this.#respondDefault();
    if (core.write(chunk)) cb();
    else if (core.closed) cb();
    else this.#pendingWrite = cb;
  }

  override _final(cb: (err?: Error | null) => void): void {
    const core = this.core;
    if (!core.closed && !core.ending) {
      if (!core.headersSent) this.#respondDefault();
      // The trailers' owner answers 'wantTrailers' with sendTrailers(), which ends the stream.
      if (this.#waitForTrailers) this.emit('wantTrailers');
      else core.end();
    }
    cb();
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    const core = this.core;
    if (!core.closed) {
      // As node:http2: an AbortError resets with CANCEL, any other error INTERNAL_ERROR, none NO_ERROR.
      core.reset(err === null ? NO_ERROR : err.name === 'AbortError' ? CANCEL : INTERNAL_ERROR);
    }
    const pending = this.#pendingWrite;
    this.#pendingWrite = undefined;
    pending?.();
    cb(err);
  }

  #respondDefault(): void {
    this.sentHeaders = { ':status': 200 };
    this.core.respond(200, []);
  }

  #coreClosed(code: number): void {
    this.rstCode = code;
    const pending = this.#pendingWrite;
    this.#pendingWrite = undefined;
    pending?.();
    if (!this.destroyed) this.destroy();
  }
}

function ignore(): void {}

/**
 * A node:http2 header object's regular fields as flat pairs (lower-case names). A value HTTP/2 cannot
 * carry throws, as node:http2's respond() does, so the callers' guard answers 502 instead.
 */
export function headerPairs(headers: http2.OutgoingHttpHeaders): string[] {
  const pairs: string[] = [];
  for (const key of Object.keys(headers)) {
    if (key.charCodeAt(0) === 58 /* : */) continue;
    const v = headers[key];
    if (v === undefined) continue;
    const name = key.toLowerCase();
    if (Array.isArray(v)) {
      if (v.length > 1 && refusedField([name, '', name, '']) !== undefined) throw new TypeError(`${name} given more than once`);
      for (const one of v) pairs.push(name, checked(name, String(one)));
    }
    else pairs.push(name, checked(name, String(v)));
  }
  return pairs;
}

const UNSAFE_NAME = /[^!#$%&'*+\-.^_`|~0-9a-z]/;
const UNSAFE_VALUE = /[\r\n\0]/;
/** Connection-specific fields (RFC 9113 8.2.2) are not allowed in an HTTP/2 response. */
const CONNECTION_SPECIFIC: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

function checked(name: string, value: string): string {
  if (name === '' || UNSAFE_NAME.test(name) || UNSAFE_VALUE.test(value) || CONNECTION_SPECIFIC.has(name)) {
    throw new TypeError(`invalid HTTP/2 response field ${JSON.stringify(name)}`);
  }
  return value;
}
