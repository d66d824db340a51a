// Child process of grpc-xds.test.ts: a proxyless gRPC client (@grpc/grpc-js-xds) that dials
// xds:///<host> (argv[2]) with the bootstrap in GRPC_XDS_BOOTSTRAP_CONFIG. It runs in its own
// process because the library keeps its bootstrap and xDS client in global state.
// Protocol: each stdin line is a number N; it makes N calls and prints one JSON line
// `{"counts": {"<backend name>": n, ...}, "errors": n}`.
import * as grpc from '@grpc/grpc-js';
import * as grpcXds from '@grpc/grpc-js-xds';
import { createInterface } from 'node:readline';
import { echoService } from './grpc-echo.ts';

grpcXds.register();
const client = new grpc.Client(`xds:///${process.argv[2]}`, grpc.credentials.createInsecure());
const hello = echoService.Hello!;

function call(): Promise<string> {
  return new Promise((resolve, reject) => {
    const deadline = new Date(Date.now() + 10_000);
    client.makeUnaryRequest<Buffer, Buffer>(
      hello.path,
      hello.requestSerialize,
      hello.responseDeserialize,
      Buffer.from('hi'),
      new grpc.Metadata({ waitForReady: true }),
      { deadline },
      (err, reply) => (err ? reject(err) : resolve(reply!.toString())),
    );
  });
}

for await (const line of createInterface({ input: process.stdin })) {
  const n = Number(line.trim());
  const counts: Record<string, number> = {};
  let errors = 0;
  let lastError = '';
  // A few calls in flight at a time: enough to be quick, few enough to stay gentle on 2 cores.
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      try {
        const who = await call();
        counts[who] = (counts[who] ?? 0) + 1;
      } catch (err) {
        errors++;
        lastError = (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  process.stdout.write(`${JSON.stringify({ counts, errors, lastError })}\n`);
}
client.close();
