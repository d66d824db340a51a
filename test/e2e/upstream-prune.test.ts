// The raw keep-alive upstream pool (HTTP/1.1 fast path and HTTP/2 bodiless requests) is one pool
// for every listener, and a snapshot that drops an endpoint closes the idle sockets to it at once
// instead of after the 30 s idle timeout.
import assert from 'node:assert/strict';
import type http2 from 'node:http2';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually, get } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';
import { connectH2, h2Request } from '../proxy/h2-helpers.ts';

describe('upstream pool across snapshot swaps (sluice serve)', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let a: Upstream;
  let b: Upstream;
  const open = new Set<Socket>();
  let session: http2.ClientHttp2Session | undefined;

  const routeTo = (service: string) =>
    cfg.write('app.yaml', [
      ...backend('a', [{ ip: '127.0.0.1', port: a.port }]),
      ...backend('b', [{ ip: '127.0.0.1', port: b.port }]),
      ingress('app', [{ hosts: ['app.example.com'], paths: [{ splits: [{ service }] }] }]),
    ]);

  before(async () => {
    a = await startUpstream('a');
    b = await startUpstream('b');
    // Node's own 5 s keep-alive timeout would close them anyway: only Sluice may close them here.
    a.server.keepAliveTimeout = 120_000;
    // Only a's connections are tracked: they are the ones that must close.
    a.server.on('connection', (s: Socket) => {
      open.add(s);
      s.on('close', () => open.delete(s));
    });
    cfg = await ConfigDir.create();
    await routeTo('a');
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  });

  after(async () => {
    session?.destroy();
    await sluice?.stop();
    await a?.close();
    await b?.close();
    await cfg?.cleanup();
  });

  it('closes idle connections to an endpoint that left the configuration', async () => {
    // One HTTP/1.1 (fast path) and one HTTP/2 request leave keep-alive sockets to `a` in the pool.
    const h1 = await get(sluice.addresses.http!, 'app.example.com', '/one');
    assert.equal(JSON.parse(h1.body).name, 'a');
    session = connectH2(sluice.addresses.http!);
    const h2 = await h2Request(session, { ':path': '/two', ':authority': 'app.example.com' });
    assert.equal(JSON.parse(h2.body).name, 'a');
    assert.ok(open.size >= 1, 'no keep-alive connection to a stayed open');

    await routeTo('b');
    assert.ok(await eventually(async () => JSON.parse((await get(sluice.addresses.http!, 'app.example.com', '/three')).body).name === 'b', 10_000), 'the edit was not served');
    // `a` is gone from every cluster: its idle sockets close now, long before the 30 s idle limit.
    assert.ok(await eventually(() => open.size === 0, 5_000), `${open.size} connection(s) to the removed endpoint still open`);
  });
});
