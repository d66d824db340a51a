// The handler h2spec and the benchmark run against: 200 "hello", and a POST's body echoed back.
import type { H2Stream } from '../../../src/net/h2/stream.ts';

const HELLO = Buffer.from('hello');

export function helloHandler(s: H2Stream): void {
  if (s.method !== 'POST') {
    s.respond(200, ['content-type', 'text/plain']);
    s.write(HELLO);
    s.end();
    return;
  }
  s.respond(200, ['content-type', 'application/octet-stream']);
  s.read(
    (chunk) => {
      s.write(chunk);
      s.consume(chunk.length);
    },
    () => s.end(),
  );
}
