// `sluice serve --workers 2 --xds`: the primary serves ADS (Envoy listeners at the workers' shared
// addresses, routes, endpoints) while both workers serve the data plane; an edit reaches both; Ctrl-C
// (SIGINT to every process of the group) stops them all at once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeAny } from '../../src/xds/encode.ts';
import { TypeUrl } from '../../src/xds/protos.ts';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { startSluice } from '../support/sluice.ts';
import { startUpstream } from '../support/upstream.ts';
import { node, sotw } from '../xds/ads-client.ts';
import { fresh, freePort, waitForWorkers, waitReady, workersOf } from './workers-helpers.ts';

type Listener = { name: string; address: { socket_address: { port_value: number } } };
type Routes = { name: string; virtual_hosts: Array<{ domains: string[] }> };

describe('sluice serve --workers 2 --xds', () => {
  it('the primary serves ADS while both workers serve traffic, pushes an edit both workers serve, and stops on Ctrl-C', async () => {
    const up = await startUpstream('up');
    const cfg = await ConfigDir.create();
    const write = (hosts: string[]) => cfg.write('a.yaml', [...backend('up', [{ ip: '127.0.0.1', port: up.port }]), ingress('x', [{ hosts, paths: [{ splits: [{ service: 'up' }] }] }])]);
    await write(['x.example.com']);
    const [p1, p2, p3, p4] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const [http, admin] = [`127.0.0.1:${p1}`, `127.0.0.1:${p3}`];
    const sluice = await startSluice(
      ['serve', '--config', cfg.dir, '--workers', '2', '--http', http, '--local', `127.0.0.1:${p2}`, '--admin', admin, '--https', `127.0.0.1:${p4}`, '--xds', ':0', '--drain-delay', '30'],
      ['http', 'admin', 'xds'],
    );
    const c = sotw(sluice.addresses.xds!);
    try {
      await waitForWorkers(sluice, 2);
      const xdsLines = sluice.lines.filter((l) => l.includes('"listener":"xds"'));
      assert.equal(xdsLines.length, 1, 'one xDS server, in the primary');
      assert.equal((JSON.parse(xdsLines[0]!) as { pid: number }).pid, sluice.child.pid);

      c.send({ node: node('envoy-w'), type_url: TypeUrl.listener });
      const lds = await c.next(10_000);
      const external = lds.resources.map((r) => decodeAny(r) as Listener).find((l) => l.name === 'external')!;
      assert.equal(external.address.socket_address.port_value, p1, "Envoy's external listener is where the workers listen");
      c.send({ type_url: TypeUrl.listener, version_info: lds.version_info, response_nonce: lds.nonce });
      c.send({ type_url: TypeUrl.route, resource_names: ['external'] });
      const rds = await c.next(10_000);
      assert.deepEqual((decodeAny(rds.resources[0]!) as Routes).virtual_hosts.flatMap((v) => v.domains), ['x.example.com']);
      c.send({ type_url: TypeUrl.route, resource_names: ['external'], version_info: rds.version_info, response_nonce: rds.nonce });

      await write(['x.example.com', 'y.example.com']);
      const pushed = await c.next(10_000);
      assert.equal(pushed.type_url, TypeUrl.route);
      assert.deepEqual((decodeAny(pushed.resources[0]!) as Routes).virtual_hosts.flatMap((v) => v.domains).sort(), ['x.example.com', 'y.example.com']);
      await waitReady(admin);
      const answers = await fresh(http, 'y.example.com', 20);
      assert.ok(answers.every((r) => r.status === 200 && r.upstream === 'up'), JSON.stringify(answers));
      const workers = await workersOf(admin);
      assert.ok(workers.every((w) => (w.requests ?? 0) > 0), `both workers served: ${JSON.stringify(workers)}`);
      // Ctrl-C signals the whole process group: the workers leave the shutdown to the primary, which skips the drain delay.
      const exited = new Promise<number | null>((r) => sluice.child.once('exit', (code) => r(code)));
      for (const pid of [sluice.child.pid!, ...workers.map((w) => w.pid!)]) process.kill(pid, 'SIGINT');
      assert.equal(await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000))]), 0, sluice.stderr());
      for (const w of workers) assert.throws(() => process.kill(w.pid!, 0), `worker ${w.pid} is gone`);
    } finally {
      c.close();
      await sluice.stop('SIGKILL');
      await up.close();
      await cfg.cleanup();
    }
  });
});
