// Port of knative.dev/networking test/conformance/ingress/websocket.go: TestWebsocket,
// TestWebsocketSplit.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { startWsServer } from './backends/wsserver.ts';
import { split } from './support/build.ts';
import { type Dialer, dialerFor } from './support/client.ts';
import { Cluster } from './support/cluster.ts';
import { Inbox } from './support/inbox.ts';
import { ServiceDomain, objectNameForTest } from './support/names.ts';

interface Conn {
  ws: WebSocket;
  inbox: Inbox<string>;
}

/** websocket.Dialer.Dial of ws://domain/ through the ingress's load balancer, Host set to the domain. */
function dial(dialer: Dialer, domain: string): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${dialer(80)}/`, { headers: { host: domain }, handshakeTimeout: 45_000 });
    const inbox = new Inbox<string>();
    ws.on('message', (data) => inbox.push(String(data)));
    ws.on('close', () => inbox.fail(new Error('connection closed')));
    ws.once('open', () => resolve({ ws, inbox }));
    // Kept for the socket's life: an 'error' with no listener would end the test process.
    ws.on('error', (err) => {
      inbox.fail(err);
      reject(err);
    });
    ws.once('unexpected-response', (_req, res) => reject(new Error(`Dial() = bad handshake: ${res.statusCode}`)));
  });
}

/** findWebsocketSuffix: the suffix this socket's backend appends. */
async function findWebsocketSuffix(c: Conn): Promise<string> {
  const message = `ping -${randomInt(1000)}`;
  c.ws.send(message);
  const got = await c.inbox.next();
  assert.ok(got.startsWith(message), `ReadMessage() = ${got}, wanted ${message} prefix`);
  return got.slice(message.length).trim();
}

/** checkWebsocketRoundTrip: a message comes back with " " + suffix. */
async function checkWebsocketRoundTrip(c: Conn, suffix: string): Promise<void> {
  const message = `ping -${randomInt(1000)}`;
  c.ws.send(message);
  assert.equal(await c.inbox.next(), `${message} ${suffix}`);
}

describe('websocket.go', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await Cluster.start();
  });
  after(() => cluster?.close());

  // WebSockets may be used via a simple Ingress.
  it('TestWebsocket', async (t) => {
    const suffix = '- pong';
    const svc = await cluster.createService(t.name, await startWsServer(suffix), 'http');
    const domain = `${svc.name}.${ServiceDomain}`;
    const ing = await cluster.createIngressReady(t.name, { rules: [{ hosts: [domain], visibility: 'ExternalIP', http: { paths: [{ splits: [split(svc)] }] } }] });

    const conn = await dial(dialerFor(cluster, ing.status?.publicLoadBalancer), domain);
    t.after(() => conn.ws.terminate());
    for (let i = 0; i < 100; i++) await checkWebsocketRoundTrip(conn, suffix);
  });

  // WebSockets may be used across a traffic split.
  it('TestWebsocketSplit', async (t) => {
    const suffixBlue = '- blue';
    const blue = await cluster.createService(t.name, await startWsServer(suffixBlue), 'http');
    const suffixGreen = '- green';
    const green = await cluster.createService(t.name, await startWsServer(suffixGreen), 'http');
    const want = new Set([suffixBlue, suffixGreen]);

    const domain = `${objectNameForTest(t.name)}.${ServiceDomain}`;
    const ing = await cluster.createIngressReady(t.name, {
      rules: [{ hosts: [domain], visibility: 'ExternalIP', http: { paths: [{ splits: [split(blue, { percent: 50 }), split(green, { percent: 50 })] }] } }],
    });
    const dialer = dialerFor(cluster, ing.status?.publicLoadBalancer);

    const maxRequests = 100;
    const got = new Set<string>();
    for (let i = 0; i < maxRequests; i++) {
      const conn = await dial(dialer, domain);
      t.after(() => conn.ws.terminate());
      const suffix = await findWebsocketSuffix(conn);
      if (suffix === '') continue;
      got.add(suffix);
      for (let j = 0; j < 10; j++) await checkWebsocketRoundTrip(conn, suffix);
      if (got.size === want.size && [...want].every((s) => got.has(s))) return;
    }
    assert.deepEqual([...got].sort(), [...want].sort(), `(over ${maxRequests} requests)`);
  });
});
