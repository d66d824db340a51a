// The fast path's response to its client: the upstream response read off the keep-alive socket
// (UpstreamResponseReader) written to the client socket, the head forwarded as bytes where it can
// be (client-head.ts), a body read until close re-framed as chunked, the upstream paused while the
// client is backed up. What ends an exchange is the connection's (FastConnection).
import type { Socket } from 'node:net';
import { type ResponseEditor, writeClientHead } from './client-head.ts';
import type { HeadBuffer } from './head-buffer.ts';
import { type ResponseHead, UNTIL_CLOSE } from './parse.ts';
import { UpstreamResponseReader } from './upstream-response.ts';
import { backedUp, chunkHead, CRLF, LAST_CHUNK } from './wire.ts';

export abstract class ClientResponseWriter extends UpstreamResponseReader {
  readonly socket: Socket;
  /** the response head went out to the client */
  protected resHeadSent = false;
  /** the response body is read until close and re-framed as chunked */
  #chunkedOut = false;

  constructor(socket: Socket) {
    super();
    this.socket = socket;
  }

  /** Whether the client connection closes after this response (asked as its head goes out). */
  protected abstract closesAfterResponse(): boolean;
  /** the route's response-side policies */
  protected abstract responseEditor(): ResponseEditor;
  /** what a rewritten response head is built in (the listener's) */
  protected abstract headBuffer(): HeadBuffer;
  /** Stops reading the upstream while the client takes nothing ('drain' resumes it). */
  protected abstract pauseUpstream(): void;
  /** The response went out completely. */
  protected abstract responseComplete(): void;

  protected responseHead(buf: Buffer, head: ResponseHead, bodyStart: number): number {
    const close = this.closesAfterResponse();
    this.resHeadSent = true;
    this.#chunkedOut = head.framing === UNTIL_CLOSE;
    return writeClientHead(this.socket, buf, head, bodyStart, close, this.responseEditor(), this.headBuffer());
  }

  protected responseBody(piece: Buffer, _last: boolean): void {
    if (this.#chunkedOut) this.chunkData(piece);
    else this.socket.write(piece);
  }

  /** Writes a chunk of response body to the client, re-framed. */
  chunkData(data: Buffer): void {
    const s = this.socket;
    s.write(chunkHead(data.length), 'latin1');
    s.write(data);
    s.write(CRLF, 'latin1');
  }

  protected responseTrailers(raw: Buffer | null): void {
    this.socket.write(raw === null ? LAST_CHUNK : `0\r\n${raw.toString('latin1')}\r\n`, 'latin1');
  }

  protected responseFlowed(): void {
    const s = this.socket;
    if (s.writableCorked > 0) s.uncork();
    if (backedUp(s)) this.pauseUpstream();
  }

  protected responseDone(): void {
    const s = this.socket;
    if (s.writableCorked > 0) s.uncork();
    this.responseComplete();
  }
}
