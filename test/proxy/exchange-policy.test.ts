// Request-side route policies (exchange-policy.ts) on the exchange core: a policy may go on, answer
// locally, or decide asynchronously (as ext_authz and rate limit services will); while it decides,
// the fast path holds the client and reads no pipelined request. Run against in-process gateways
// (with and without the fast path) and real upstreams, with a policy kind registered for one host.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type ForwardDecision, type PolicyRequest, registerPolicyKind, type RequestVerdict } from '../../src/proxy/exchange-policy.ts';
import { Gateway } from '../../src/gateway.ts';
import { textReply } from '../../src/proxy/local-reply.ts';
import { silentLogger } from '../../src/log.ts';
import { FileSource } from '../../src/sources/file.ts';
import { defaultTranslateOptions } from '../../src/translate/options.ts';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually, get } from '../support/http.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';

/** What the policy saw and did, in order. */
const events: string[] = [];
let release: ((v: RequestVerdict) => void) | undefined;

/** For held.example.com: `/held*` waits for the test, `/deny` answers 403 later, `/throw` throws. */
const policy = {
  onRequest(req: PolicyRequest): RequestVerdict | Promise<RequestVerdict> {
    events.push(`request ${req.method} ${req.url}`);
    if (req.url.startsWith('/held')) return new Promise((r) => (release = r));
    if (req.url === '/deny') return Promise.resolve(textReply(403, 'denied by policy'));
    if (req.url === '/throw') throw new Error('policy bug');
    return undefined;
  },
};

function releaseHeld(v: RequestVerdict = undefined): void {
  events.push('released');
  const r = release!;
  release = undefined;
  r(v);
}

/** Writes raw bytes on a new connection and reads until `done(text)` (bounded). */
function rawClient(addr: string): { sock: net.Socket; text: () => string; until: (done: (t: string) => boolean) => Promise<string> } {
  const i = addr.lastIndexOf(':');
  const sock = net.connect(Number(addr.slice(i + 1)), addr.slice(0, i));
  sock.on('error', () => {});
  let text = '';
  sock.on('data', (d: Buffer) => (text += d.toString('latin1')));
  return {
    sock,
    text: () => text,
    until: async (done) => {
      assert.ok(await eventually(() => done(text), 10_000), `no such answer within 10 s; got: ${text}`);
      return text;
    },
  };
}

const statuses = (text: string): number[] => [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));

describe('request policies on the exchange core', () => {
  let cfg: ConfigDir;
  let fast: Gateway;
  let node: Gateway;
  let echo: Upstream;
  let unregister: () => void;

  before(async () => {
    unregister = registerPolicyKind({ compile: (route: ForwardDecision) => (route.ingress === 'default/held' ? policy : undefined) });
    echo = await startUpstream('echo');
    cfg = await ConfigDir.create();
    await cfg.write('held.yaml', [ingress('held', [{ hosts: ['held.example.com'], paths: [{ splits: [{ service: 'echo' }] }] }]), ...backend('echo', [{ ip: '127.0.0.1', port: echo.port }])]);
    const start = (fastPath: boolean): Promise<Gateway> =>
      Gateway.start({ source: new FileSource({ dir: cfg.dir, watch: false }), translate: defaultTranslateOptions, http: { host: '127.0.0.1', port: 0 }, log: silentLogger(), fastPath, drainTimeout: 1000 });
    [fast, node] = await Promise.all([start(true), start(false)]);
  });

  after(async () => {
    release?.(undefined);
    unregister?.();
    await Promise.all([fast?.stop(), node?.stop()]);
    await echo?.close();
    await cfg?.cleanup();
  });

  it('the fast path holds a request while its policy decides, reading no pipelined request meanwhile', async () => {
    events.length = 0;
    echo.requests.length = 0;
    const c = rawClient(fast.addresses.http!);
    c.sock.write('POST /held/1 HTTP/1.1\r\nHost: held.example.com\r\nContent-Length: 5\r\n\r\nhelloGET /after HTTP/1.1\r\nHost: held.example.com\r\n\r\n');
    assert.ok(await eventually(() => release !== undefined, 10_000), 'the policy was asked');
    assert.equal(echo.requests.length, 0, 'nothing reached the upstream while the policy decided');
    assert.equal(c.text(), '');
    releaseHeld();
    const text = await c.until((t) => statuses(t).length === 2);
    c.sock.destroy();
    assert.deepEqual(statuses(text), [200, 200]);
    // The pipelined request was parsed only once the first one was let through.
    assert.deepEqual(events, ['request POST /held/1', 'released', 'request GET /after']);
    assert.deepEqual(
      echo.requests.map((r) => [r.method, r.url, r.bodyBytes]),
      [
        ['POST', '/held/1', 5],
        ['GET', '/after', 0],
      ],
    );
  });

  it('the fast path answers what a policy answers later, and serves the next pipelined request', async () => {
    const c = rawClient(fast.addresses.http!);
    c.sock.write('GET /deny HTTP/1.1\r\nHost: held.example.com\r\n\r\nGET /after HTTP/1.1\r\nHost: held.example.com\r\n\r\n');
    const text = await c.until((t) => statuses(t).length === 2);
    c.sock.destroy();
    assert.deepEqual(statuses(text), [403, 200]);
    assert.match(text, /denied by policy/);
  });

  it('a client that leaves while a policy decides ends its exchange; the late verdict is dropped', async () => {
    const c = rawClient(fast.addresses.http!);
    c.sock.write('GET /held/2 HTTP/1.1\r\nHost: held.example.com\r\n\r\n');
    assert.ok(await eventually(() => release !== undefined, 10_000), 'the policy was asked');
    assert.equal(fast.dataPlane.inflight, 0, 'a held request is not in flight upstream');
    c.sock.destroy();
    await new Promise((r) => c.sock.once('close', r));
    releaseHeld();
    assert.ok(await eventually(() => fast.dataPlane.inflight === 0, 5000));
    const r = await get(fast.addresses.http!, 'held.example.com', '/next');
    assert.equal(r.status, 200);
  });

  it('a policy that throws fails closed with 500', async () => {
    const r = await get(fast.addresses.http!, 'held.example.com', '/throw');
    assert.equal(r.status, 500);
    const n = await get(node.addresses.http!, 'held.example.com', '/throw');
    assert.equal(n.status, 500);
  });

  it('node:http and HTTP/2 wait for the policy too, and answer its local reply', async () => {
    const held = get(node.addresses.http!, 'held.example.com', '/held/3');
    assert.ok(await eventually(() => release !== undefined, 10_000), 'the policy was asked');
    releaseHeld();
    assert.equal((await held).status, 200);
    assert.equal((await get(node.addresses.http!, 'held.example.com', '/deny')).status, 403);

    const session = http2.connect(`http://${fast.addresses.http}`);
    session.on('error', () => {});
    try {
      const ask = (path: string): Promise<number> =>
        new Promise((resolve, reject) => {
          const s = session.request({ ':path': path, ':authority': 'held.example.com' });
          s.on('response', (h) => resolve(Number(h[':status'])));
          s.on('error', reject);
          s.resume();
        });
      const h2held = ask('/held/4');
      assert.ok(await eventually(() => release !== undefined, 10_000), 'the policy was asked');
      releaseHeld(textReply(429, 'slow down'));
      assert.equal(await h2held, 429);
      assert.equal(await ask('/ok'), 200);
    } finally {
      session.destroy();
    }
  });
});
