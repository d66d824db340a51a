// With `serve --workers 2` the primary answers /ui/data, but the workers count the requests: its live
// rates come from every worker's metrics summed, as /metrics does.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually } from '../support/http.ts';
import { startSluice, type SluiceProcess } from '../support/sluice.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { adminJson, fresh, freePort, waitForWorkers, waitReady } from '../e2e/workers-helpers.ts';

const HOST = 'w.example.com';

describe('/ui/data with --workers 2', () => {
  let up: Upstream;
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let http = '';
  let admin = '';

  before(async () => {
    up = await startUpstream('up');
    cfg = await ConfigDir.create();
    await cfg.write('a.yaml', [...backend('up', [{ ip: '127.0.0.1', port: up.port }]), ingress('w', [{ hosts: [HOST], paths: [{ splits: [{ service: 'up' }] }] }])]);
    // Workers share listeners through the primary, so fixed ports are used: free when asked, but
    // another test may take one before the gateway binds it, so a start that finds one taken retries.
    for (let attempt = 1; ; attempt++) {
      const [p1, p2, p3, p4, p5] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
      [http, admin] = [`127.0.0.1:${p1}`, `127.0.0.1:${p3}`];
      try {
        sluice = await startSluice(
          ['serve', '--config', cfg.dir, '--workers', '2', '--http', http, '--local', `127.0.0.1:${p2}`, '--admin', admin, '--https', `127.0.0.1:${p4}`, '--health', `127.0.0.1:${p5}`],
          ['http', 'admin', 'health'],
        );
        break;
      } catch (err) {
        if (attempt === 3 || !/address already in use/.test(String(err))) throw err;
      }
    }
    await waitForWorkers(sluice, 2);
    await waitReady(admin);
  });
  after(async () => {
    await sluice?.stop('SIGKILL');
    await up?.close();
    await cfg?.cleanup();
  });

  it("shows the workers' requests in the route's and the split's rates", async () => {
    type Data = { routes: Array<{ name: string; rps: number; splits: Array<{ cluster: string; rps: number }> }> };
    await adminJson<Data>(admin, '/ui/data');
    let last: Data | undefined;
    const ok = await eventually(async () => {
      await fresh(http, HOST, 10);
      last = await adminJson<Data>(admin, '/ui/data');
      const r = last.routes.find((x) => x.name === 'default/w');
      return r !== undefined && r.rps > 0 && r.splits[0]!.rps > 0;
    }, 20_000, 200);
    assert.ok(ok, JSON.stringify(last));
  });
});
