// End to end: a real proxyless gRPC client (@grpc/grpc-js-xds, in a child process) dials
// xds:///hello.example.com through Sluice's xDS server and reaches two gRPC backends split
// 80/20, then follows a config change that sends everything to the second backend.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { grpcBootstrap } from '../../src/cli/commands/envoy.ts';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import { startXdsServer, type XdsServer } from '../../src/xds/server.ts';
import { startEchoBackend } from './grpc-echo.ts';
import { DEFAULT_ADDRESSES, resultOf, splitSnapshot } from './helpers.ts';

const HOST = 'hello.example.com';
type Batch = { counts: Record<string, number>; errors: number; lastError: string };

let backends: Array<{ port: number; close(): Promise<void> }> = [];
let server: XdsServer;
let child: ChildProcessWithoutNullStreams;
let lines: AsyncIterator<string>;
let stderr = '';
const feed = new SettableFeed();

function publish(version: number, blue: number, green: number) {
  const s = splitSnapshot(version, HOST, [
    { cluster: 'default/blue:grpc', port: backends[0]!.port, percent: blue },
    { cluster: 'default/green:grpc', port: backends[1]!.port, percent: green },
  ]);
  feed.publish(s, resultOf(s));
}

async function batch(n: number): Promise<Batch> {
  child.stdin.write(`${n}\n`);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`client child gave no answer in 60 s; stderr: ${stderr}`)), 60_000);
  });
  try {
    const { value, done } = await Promise.race([lines.next(), timeout]);
    if (done) throw new Error(`client child exited; stderr: ${stderr}`);
    return JSON.parse(value) as Batch;
  } finally {
    clearTimeout(timer);
  }
}

before(async () => {
  backends = [await startEchoBackend('blue'), await startEchoBackend('green')];
  publish(1, 80, 20);
  server = await startXdsServer({ address: '127.0.0.1:0', feed, listenerAddresses: DEFAULT_ADDRESSES });
  // The same bootstrap `sluice envoy bootstrap --grpc` prints.
  const bootstrap = grpcBootstrap({ xds: server.address, nodeId: 'grpc-e2e' });
  child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'grpc-xds-client.child.ts'), HOST], {
    env: { ...process.env, GRPC_XDS_BOOTSTRAP_CONFIG: JSON.stringify(bootstrap) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
});

after(async () => {
  child?.kill();
  await server?.close();
  await Promise.all(backends.map((b) => b.close()));
});

test('a gRPC xDS client splits calls 80/20 as Sluice says, then follows a change to 0/100', async (t) => {
  const first = await batch(500);
  t.diagnostic(`first 500 calls: ${JSON.stringify(first.counts)}`);
  assert.equal(first.errors, 0, first.lastError);
  const blue = first.counts.blue ?? 0;
  const green = first.counts.green ?? 0;
  assert.equal(blue + green, 500);
  // Expected 400/100 (sd ~9); the bounds only rule out "no split" and "wrong way round".
  assert.ok(green >= 50 && green <= 170, `green got ${green} of 500`);

  publish(2, 0, 100);
  // The client applies the new route asynchronously: poll in small batches, bounded.
  const deadline = Date.now() + 20_000;
  for (;;) {
    const b = await batch(20);
    if ((b.counts.green ?? 0) === 20) break;
    assert.ok(Date.now() < deadline, `client still sends to blue: ${JSON.stringify(b)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const after = await batch(200);
  assert.deepEqual(after.counts, { green: 200 });
  assert.equal(after.errors, 0);
});
