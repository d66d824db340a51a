// The `retry` test image (test/test_images/retry): the first request gets 503, every later one
// 200; the body is "Retry N" with N the number of earlier requests.
import { type Backend, type BackendRequest, type BackendResponse, startBackend } from './server.ts';

export function startRetry(): Promise<Backend> {
  let retries = 0;
  const handler = (req: BackendRequest, res: BackendResponse): void => {
    req.resume();
    res.writeHead(retries === 0 ? 503 : 200);
    res.end(`Retry ${retries}`);
    retries++;
  };
  return startBackend(handler);
}
