// Port of knative.dev/networking test/conformance/ingress/grpc.go: TestGRPC, TestGRPCSplit.
import * as grpc from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startGrpcPing } from './backends/grpc-ping.ts';
import { PING_SERVICE, type PingMessage, decodePing, encodePing } from './backends/ping-codec.ts';
import { split } from './support/build.ts';
import { type Dialer, dialerFor } from './support/client.ts';
import { Cluster } from './support/cluster.ts';
import { Inbox } from './support/inbox.ts';
import { ServiceDomain, objectNameForTest } from './support/names.ts';

const PingServiceClient = grpc.makeGenericClientConstructor(
  {
    PingStream: {
      path: `/${PING_SERVICE}/PingStream`,
      requestStream: true,
      responseStream: true,
      requestSerialize: encodePing,
      requestDeserialize: decodePing,
      responseSerialize: encodePing,
      responseDeserialize: decodePing,
    },
  },
  'PingService',
);

interface Stream {
  call: grpc.ClientDuplexStream<PingMessage, PingMessage>;
  inbox: Inbox<string>;
}

/** grpc.NewClient("passthrough:///domain:80") dialled through the ingress's load balancer. */
function newClient(dialer: Dialer, domain: string): grpc.Client {
  return new PingServiceClient(dialer(80), grpc.credentials.createInsecure(), { 'grpc.default_authority': `${domain}:80` });
}

function pingStream(client: grpc.Client): Stream {
  const call = (client as unknown as { PingStream(opts: grpc.CallOptions): grpc.ClientDuplexStream<PingMessage, PingMessage> }).PingStream({ deadline: Date.now() + 60_000 });
  const inbox = new Inbox<string>();
  call.on('data', (m: PingMessage) => inbox.push(m.msg));
  call.on('error', (err: Error) => inbox.fail(err));
  call.on('end', () => inbox.fail(new Error('stream ended')));
  return { call, inbox };
}

/** findGRPCSuffix: the suffix this stream's backend appends. */
async function findGRPCSuffix(s: Stream): Promise<string> {
  const message = `ping -${randomInt(1000)}`;
  s.call.write({ msg: message });
  const got = await s.inbox.next();
  assert.ok(got.startsWith(message), `Recv() = ${got}, wanted ${message} prefix`);
  return got.slice(message.length).trim();
}

/** checkGRPCRoundTrip: a message comes back with the suffix appended (no space). */
async function checkGRPCRoundTrip(s: Stream, suffix: string): Promise<void> {
  const message = `ping -${randomInt(1000)}`;
  s.call.write({ msg: message });
  assert.equal(await s.inbox.next(), message + suffix);
}

describe('grpc.go', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await Cluster.start();
  });
  after(() => cluster?.close());

  // gRPC may be used via a simple Ingress (CreateGRPCService: port h2c, appProtocol kubernetes.io/h2c).
  it('TestGRPC', async (t) => {
    const suffix = '- pong';
    const svc = await cluster.createService(t.name, await startGrpcPing(suffix), 'h2c', 'kubernetes.io/h2c');
    const domain = `${svc.name}.${ServiceDomain}`;
    const ing = await cluster.createIngressReady(t.name, { rules: [{ hosts: [domain], visibility: 'ExternalIP', http: { paths: [{ splits: [split(svc)] }] } }] });

    const client = newClient(dialerFor(cluster, ing.status?.publicLoadBalancer), domain);
    t.after(() => client.close());
    const stream = pingStream(client);
    t.after(() => stream.call.cancel());
    for (let i = 0; i < 100; i++) await checkGRPCRoundTrip(stream, suffix);
  });

  // gRPC may be used across a traffic split.
  it('TestGRPCSplit', async (t) => {
    const suffixBlue = '- blue';
    const blue = await cluster.createService(t.name, await startGrpcPing(suffixBlue), 'h2c', 'kubernetes.io/h2c');
    const suffixGreen = '- green';
    const green = await cluster.createService(t.name, await startGrpcPing(suffixGreen), 'h2c', 'kubernetes.io/h2c');
    const want = new Set([suffixBlue, suffixGreen]);

    const domain = `${objectNameForTest(t.name)}.${ServiceDomain}`;
    const ing = await cluster.createIngressReady(t.name, {
      rules: [{ hosts: [domain], visibility: 'ExternalIP', http: { paths: [{ splits: [split(blue, { percent: 50 }), split(green, { percent: 50 })] }] } }],
    });
    const client = newClient(dialerFor(cluster, ing.status?.publicLoadBalancer), domain);
    t.after(() => client.close());

    const maxRequests = 100;
    const got = new Set<string>();
    for (let i = 0; i < maxRequests; i++) {
      const stream = pingStream(client);
      t.after(() => stream.call.cancel());
      const suffix = await findGRPCSuffix(stream);
      if (suffix === '') continue;
      got.add(suffix);
      for (let j = 0; j < 10; j++) await checkGRPCRoundTrip(stream, suffix);
      if (got.size === want.size && [...want].every((s) => got.has(s))) return;
    }
    assert.deepEqual([...got].sort(), [...want].sort(), `(over ${maxRequests} requests)`);
  });
});
