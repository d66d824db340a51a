// The `grpc-ping` test image (test/test_images/grpc-ping): gRPC over h2c, each reply is the request
// msg + hostname (empty: HOSTNAME is not set by the tests) + SUFFIX; HTTP/2 requests with
// content-type application/grpc go to the gRPC server, anything else gets an empty 200.
import { type Backend, type BackendRequest, type BackendResponse, header, send, startBackend } from './server.ts';
import { Deframer, PING_SERVICE, decodePing, encodePing, frame } from './ping-codec.ts';

export function startGrpcPing(suffix: string): Promise<Backend> {
  const pong = (b: Buffer): Buffer => frame(encodePing({ msg: decodePing(b).msg + suffix }));
  const handler = (req: BackendRequest, res: BackendResponse): void => {
    if (req.httpVersionMajor !== 2 || header(req, 'content-type') !== 'application/grpc') {
      req.resume();
      res.end();
      return;
    }
    const method = (req.url ?? '').split('?')[0];
    if (method !== `/${PING_SERVICE}/Ping` && method !== `/${PING_SERVICE}/PingStream`) {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/grpc', 'grpc-status': '12', 'grpc-message': `unknown method ${method}` });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/grpc' });
    const deframer = new Deframer();
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      try {
        for (const m of deframer.push(chunk)) send(res, pong(m));
      } catch (err) {
        failed = true;
        const r = res as { addTrailers(h: Record<string, string>): void; end(): void };
        r.addTrailers({ 'grpc-status': '13', 'grpc-message': encodeURIComponent((err as Error).message) });
        r.end();
      }
    });
    req.on('end', () => {
      if (failed) return;
      (res as { addTrailers(h: Record<string, string>): void }).addTrailers({ 'grpc-status': '0' });
      res.end();
    });
    req.on('error', () => res.destroy());
  };
  return startBackend(handler);
}
