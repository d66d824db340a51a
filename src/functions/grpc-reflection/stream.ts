// One ServerReflectionInfo stream: requests go out one at a time, each answered by the next
// response (the protocol answers in order). A status ending the stream fails what is pending.
import http2 from 'node:http2';
import { FrameDecoder, frame } from '../grpc-json/frames.ts';
import { type ReflectionRequest, type ReflectionResponse, decodeResponse, encodeRequest } from './messages.ts';

/** The stream ended with a gRPC status (or an HTTP status that is not gRPC's 200). */
export class ReflectionStatusError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export class ReflectionStream {
  private readonly pending: { resolve: (r: ReflectionResponse) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | undefined;
  private readonly stream: http2.ClientHttp2Stream;

  constructor(session: http2.ClientHttp2Session, path: string, authority: string) {
    const decoder = new FrameDecoder();
    this.stream = session.request({ ':method': 'POST', ':path': path, ':authority': authority, 'content-type': 'application/grpc', te: 'trailers' });
    const s = this.stream;
    s.on('response', (headers) => {
      const status = Number(headers[':status']);
      if (status !== 200) this.fail(new ReflectionStatusError(status === 404 ? 12 : 2, `HTTP ${status} from ${path}`));
      else if (headers['grpc-status'] !== undefined) this.statusFrom(headers);
    });
    s.on('data', (chunk: Buffer) => {
      try {
        for (const m of decoder.push(chunk)) this.pending.shift()?.resolve(decodeResponse(m));
      } catch (err) {
        this.fail(new Error(`unreadable reflection response: ${(err as Error).message}`));
      }
    });
    s.on('trailers', (t) => this.statusFrom(t));
    s.on('error', (err) => this.fail(err));
    s.on('close', () => this.fail(new Error(`the reflection stream closed (code ${s.rstCode})`)));
  }

  private statusFrom(h: http2.IncomingHttpHeaders): void {
    const code = Number(h['grpc-status'] ?? 2);
    this.fail(new ReflectionStatusError(code, `gRPC status ${code}${h['grpc-message'] ? `: ${decodeURIComponent(String(h['grpc-message']))}` : ''}`));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.splice(0)) p.reject(this.failure);
  }

  request(req: ReflectionRequest): Promise<ReflectionResponse> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.stream.write(frame(encodeRequest(req)));
    });
  }

  close(): void {
    if (!this.stream.closed) this.stream.close(http2.constants.NGHTTP2_CANCEL);
  }
}
