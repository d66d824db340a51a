// gRPC through the real `sluice serve` process with @grpc/grpc-js on both ends: every call kind,
// trailers, cancellation both ways, a percent split, and gRPC errors for the gateway's own answers.
import * as grpc from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type EchoBackend, echoClient, type Msg, startGrpcEcho, unary } from '../proxy/grpc-echo-service.ts';
import { refusedPort } from '../support/refused-port.ts';

type Client = ReturnType<typeof echoClient>;

function collect<T>(call: grpc.ClientReadableStream<T>): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const out: T[] = [];
    call.on('data', (m: T) => out.push(m));
    call.on('error', reject);
    call.on('end', () => resolve(out));
  });
}

describe('gRPC (sluice serve, @grpc/grpc-js on both ends)', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  const be: Record<string, EchoBackend> = {};
  const clients: Client[] = [];
  let resetter: http2.Http2Server;
  let refused: number;
  const client = (host: string, addr = sluice.addresses.http!): Client => {
    const c = echoClient(addr, host);
    clients.push(c);
    return c;
  };

  before(async () => {
    for (const n of ['one', 'a', 'b']) be[n] = await startGrpcEcho(n);
    // An upstream that answers with headers and then resets the stream (RST_STREAM INTERNAL_ERROR;
    // close() would end the stream cleanly before its RST_STREAM).
    resetter = http2.createServer();
    resetter.on('stream', (stream) => {
      stream.on('error', () => {});
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
      setTimeout(() => stream.destroy(new Error('backend gives up')), 50);
    });
    await new Promise<void>((r) => resetter.listen(0, '127.0.0.1', () => r()));
    refused = refusedPort();
    cfg = await ConfigDir.create();
    await cfg.write('backends.yaml', [
      ...backend('echo-one', [{ ip: '127.0.0.1', port: be.one!.port }], { portName: 'grpc' }),
      ...backend('echo-a', [{ ip: '127.0.0.1', port: be.a!.port }], { portName: 'h2c' }),
      ...backend('echo-b', [{ ip: '127.0.0.1', port: be.b!.port }], { portName: 'http2' }),
      ...backend('resetter', [{ ip: '127.0.0.1', port: (resetter.address() as AddressInfo).port }], { portName: 'grpc' }),
      ...backend('refused', [{ ip: '127.0.0.1', port: refused }], { portName: 'grpc' }),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'no-endpoints', namespace: 'default' }, spec: { ports: [{ name: 'grpc', port: 80, targetPort: 9000 }] } },
    ]);
    await cfg.write('ingress.yaml', [
      ingress('grpc', [
        { hosts: ['grpc.example.com'], paths: [{ splits: [{ service: 'echo-one' }] }] },
        // Knative's grpc/split conformance case: one host, two gRPC revisions by percent.
        { hosts: ['split.example.com'], paths: [{ splits: [{ service: 'echo-a', percent: 30 }, { service: 'echo-b', percent: 70 }] }] },
        { hosts: ['down.example.com'], paths: [{ splits: [{ service: 'no-endpoints' }] }] },
        { hosts: ['refused.example.com'], paths: [{ splits: [{ service: 'refused' }] }] },
        { hosts: ['reset.example.com'], paths: [{ splits: [{ service: 'resetter' }] }] },
        { hosts: ['local-grpc.default.svc.cluster.local'], visibility: 'ClusterLocal', paths: [{ splits: [{ service: 'echo-one' }] }] },
      ]),
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  });

  after(async () => {
    for (const c of clients) c.close();
    await sluice?.stop();
    await Promise.all(Object.values(be).map((b) => b.close()));
    await new Promise((r) => resetter?.close(r));
    await cfg?.cleanup();
  });

  it('unary calls, with trailing metadata passed through', async () => {
    const c = client('grpc.example.com');
    const r = await unary(c, { text: 'hi' });
    assert.equal(r.reply.text, 'hi');
    assert.equal(r.reply.backend, 'one');
    assert.deepEqual(r.trailers.get('x-trailer'), ['from-one']);
    // the cluster-local listener carries gRPC too
    const local = client('local-grpc.default.svc', sluice.addresses.local!);
    assert.equal((await unary(local, { text: 'l' })).reply.backend, 'one');
  });

  it('passes grpc-status and grpc-message from the backend', async () => {
    const c = client('grpc.example.com');
    await assert.rejects(unary(c, { text: 'fail' }), (err: grpc.ServiceError) => {
      assert.equal(err.code, grpc.status.INVALID_ARGUMENT);
      assert.equal(err.details, 'bad input: ünïcode % ok');
      assert.deepEqual(err.metadata.get('x-backend'), ['one']);
      return true;
    });
  });

  it('server-streaming, client-streaming and bidirectional calls', async () => {
    const c = client('grpc.example.com');
    const msgs = await collect<Msg>(c.ServerStream({ text: 's', count: 100 }) as grpc.ClientReadableStream<Msg>);
    assert.equal(msgs.length, 100);
    assert.equal(msgs[99]!.text, 's-99');

    const summed = await new Promise<Msg>((resolve, reject) => {
      const call = c.ClientStream((err: grpc.ServiceError | null, m: Msg) => (err ? reject(err) : resolve(m))) as grpc.ClientWritableStream<Msg>;
      for (let i = 0; i < 50; i++) call.write({ text: String(i) });
      call.end();
    });
    assert.equal(summed.count, 50);
    assert.equal(summed.text!.split(',')[49], '49');

    const bidi = c.Bidi() as grpc.ClientDuplexStream<Msg, Msg>;
    const got: string[] = [];
    // Ping-pong: each reply arrives before the next message is sent, so the stream is really both ways.
    for (let i = 0; i < 20; i++) {
      const next = new Promise<Msg>((resolve) => bidi.once('data', resolve));
      bidi.write({ text: `m${i}` });
      got.push((await next).text!);
    }
    const ended = new Promise<void>((resolve, reject) => { bidi.on('end', resolve); bidi.on('error', reject); bidi.resume(); });
    bidi.end();
    await ended;
    assert.equal(got.length, 20);
    assert.equal(got[19], 'echo:m19');
  });

  it('propagates a client cancellation to the backend', async () => {
    const c = client('grpc.example.com');
    const before = be.one!.cancelled;
    const call = c.ServerStream({ text: 'hang' }) as grpc.ClientReadableStream<Msg>;
    const first = await new Promise<Msg>((resolve, reject) => { call.once('data', resolve); call.once('error', reject); });
    assert.equal(first.text, 'first');
    const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
    call.on('error', () => {});
    call.cancel();
    assert.equal((await status).code, grpc.status.CANCELLED);
    assert.ok(await eventually(() => be.one!.cancelled > before, 5000), 'the backend saw the cancellation');
  });

  it('propagates a backend reset to the client', async () => {
    const c = client('reset.example.com');
    await assert.rejects(unary(c, { text: 'x' }), (err: grpc.ServiceError) => {
      // A clean end would be "Call ended without gRPC status"; the reset itself must arrive.
      assert.equal(err.code, grpc.status.INTERNAL, err.message);
      assert.match(err.details, /RST_STREAM with code 2/);
      return true;
    });
  });

  it('splits calls by percent between two gRPC backends', async () => {
    const c = client('split.example.com');
    const counts: Record<string, number> = {};
    for (let i = 0; i < 400; i += 40) {
      const rs = await Promise.all(Array.from({ length: 40 }, () => unary(c, { text: 'x' })));
      for (const r of rs) counts[r.reply.backend!] = (counts[r.reply.backend!] ?? 0) + 1;
    }
    // Binomial(400, 0.3): mean 120, sd ~9.2; bounds are > 5 sd wide.
    assert.ok(counts.a! > 72 && counts.a! < 168, JSON.stringify(counts));
    assert.equal(counts.a! + counts.b!, 400);
  });

  it('answers UNAVAILABLE when no endpoint is there or it refuses, and UNIMPLEMENTED for unknown hosts, not a text page', async () => {
    await assert.rejects(unary(client('down.example.com'), { text: 'x' }), (err: grpc.ServiceError) => {
      assert.equal(err.code, grpc.status.UNAVAILABLE);
      assert.match(err.details, /no healthy upstream/);
      return true;
    });
    await assert.rejects(unary(client('refused.example.com'), { text: 'x' }), (err: grpc.ServiceError) => {
      assert.equal(err.code, grpc.status.UNAVAILABLE);
      assert.match(err.details, /upstream connect error/);
      return true;
    });
    await assert.rejects(unary(client('nobody.example.com'), { text: 'x' }), (err: grpc.ServiceError) => {
      assert.equal(err.code, grpc.status.UNIMPLEMENTED);
      assert.match(err.details, /404/);
      return true;
    });
  });
});
