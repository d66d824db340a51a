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
      // The write queue holds its own reference: the view is copied before the window reopens.
      s.write(Buffer.from(chunk));
      s.consume(chunk.length);
    },
    () => s.end(),
  );
}
