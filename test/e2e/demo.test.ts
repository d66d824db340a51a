// `sluice demo` (what `npm start` runs): two revisions, a 90/10 split, a tag route, a local route,
// a TLS listener with a self-signed certificate, a WebSocket echo route, and a Gateway API HTTPRoute.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import { WebSocket } from 'ws';
import { describe, it } from 'node:test';
import { get } from '../support/http.ts';
import { sluiceCommand } from '../support/sluice.ts';

describe('sluice demo', () => {
  it('serves examples/ and stops cleanly on Ctrl-C', async () => {
    const child = spawn(process.execPath, [...sluiceCommand(), 'demo', '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    try {
      const deadline = Date.now() + 60_000;
      while (!/Ctrl-C/.test(out)) {
        assert.ok(Date.now() < deadline && child.exitCode === null, `demo did not start: ${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      // The status page first, before everything else the demo prints.
      const ui = /^Status page: http:\/\/([\d.]+:\d+)\/ui$/.exec(out.split('\n')[0]!)?.[1];
      assert.ok(ui, `the demo's first line is not the status page URL:\n${out}`);
      const page = await get(ui, '127.0.0.1', '/ui');
      assert.equal(page.status, 200);
      assert.match(page.body, /<title>Sluice status<\/title>/);
      const ext = /curl -H 'Host: hello\.example\.com' http:\/\/([\d.]+:\d+)\//.exec(out)![1]!;
      const local = /curl -H 'Host: hello\.default\.svc\.cluster\.local' http:\/\/([\d.]+:\d+)\//.exec(out)![1]!;
      const counts: Record<string, number> = {};
      for (let i = 0; i < 200; i++) {
        const r = await get(ext, 'hello.example.com');
        assert.equal(r.status, 200);
        const rev = /Hello from (hello-0000\d)/.exec(r.body)![1]!;
        counts[rev] = (counts[rev] ?? 0) + 1;
      }
      assert.ok((counts['hello-00002'] ?? 0) > 3 && (counts['hello-00002'] ?? 0) < 50, JSON.stringify(counts));
      assert.match((await get(ext, 'hello.example.com', '/', { 'Knative-Serving-Tag': 'v2' })).body, /hello-00002/);
      assert.match((await get(local, 'hello.default.svc.cluster.local')).body, /hello-00001/);

      // TLS: the self-signed certificate made at start, for hello.example.com.
      const tlsPort = Number(/https:\/\/hello\.example\.com:(\d+)\//.exec(out)![1]);
      const tlsReply = await new Promise<{ body: string; cn: string }>((resolve, reject) => {
        const req = https.get({ host: '127.0.0.1', port: tlsPort, servername: 'hello.example.com', headers: { host: 'hello.example.com' }, rejectUnauthorized: false, agent: false, timeout: 10_000 }, (res) => {
          const cn = String((res.socket as import('node:tls').TLSSocket).getPeerCertificate().subject?.CN);
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ body, cn }));
        });
        req.on('error', reject);
      });
      assert.equal(tlsReply.cn, 'hello.example.com');
      assert.match(tlsReply.body, /Hello from hello-0000\d/);

      // WebSocket echo route.
      const wsAddr = /-c ws:\/\/([\d.]+:\d+)\//.exec(out)![1]!;
      const ws = new WebSocket(`ws://${wsAddr}/`, { headers: { host: 'echo.example.com' }, handshakeTimeout: 10_000 });
      try {
        await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
        const echoed = await new Promise<string>((resolve) => { ws.once('message', (d) => resolve(d.toString())); ws.send('ping'); });
        assert.equal(echoed, 'echo: ping');
      } finally {
        ws.terminate();
      }
      // Gateway API beside Knative: the HTTPRoute of examples/gateway-api on the Gateway's port.
      const gw = /curl -H 'Host: store\.example\.com' http:\/\/([\d.]+:\d+)\//.exec(out)?.[1];
      assert.ok(gw, `the demo prints no HTTPRoute curl line:\n${out}`);
      const canary = await get(gw, 'store.example.com', '/', { 'x-canary': 'true' });
      assert.equal(canary.status, 200);
      assert.match(canary.body, /Hello from hello-00002/);
      assert.equal((await get(gw, 'old-store.example.com', '/cart')).headers.location, 'https://store.example.com/cart');

      // Gloo's story (examples/gloo/monolith): pets to a REST function, orders to a Lambda function, the rest to the monolith.
      const gloo = /curl -H 'Host: monolith\.example\.com' http:\/\/([\d.]+:\d+)\/pets\/7/.exec(out)?.[1];
      assert.ok(gloo, `the demo prints no Gloo curl line:\n${out}`);
      const pet = await get(gloo, 'monolith.example.com', '/pets/7');
      assert.equal(pet.status, 200);
      assert.match(pet.body, /path: \/v2\/pets\/7/);
      const order = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const [host, port] = gloo.split(':') as [string, string];
        const req = http.request({ host, port: Number(port), method: 'POST', path: '/orders', headers: { host: 'monolith.example.com', 'content-type': 'application/json' }, timeout: 10_000 }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end('{"item":"book"}');
      });
      assert.equal(order.status, 201, order.body);
      assert.deepEqual(JSON.parse(order.body), { created: 'create-order', order: { item: 'book' } });

      child.kill('SIGINT');
      const [code] = await Promise.race([once(child, 'exit'), new Promise((_, rej) => setTimeout(() => rej(new Error('demo did not stop')), 10_000))]) as [number];
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
