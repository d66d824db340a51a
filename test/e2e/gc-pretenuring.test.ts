// V8's allocation-site pretenuring, left on, can decide from the objects start-up keeps that a
// site's objects are long-lived and allocate them straight in the old generation. Under HTTP/2
// load the per-request objects of such a site then held their young referents (streams, header
// arrays, exchanges) through every scavenge: everything a request made was promoted, and GC took a
// fifth of the CPU (the h2 regression). The gateway turns pretenuring off before it serves;
// V8's own trace shows whether it still weighs allocation sites while requests run.
import assert from 'node:assert/strict';
import type http2 from 'node:http2';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';
import { connectH2, h2Request } from '../proxy/h2-helpers.ts';

/** Enough requests to fill the young generation a few times over. */
const REQUESTS = 3000;
const IN_FLIGHT = 50;

describe('garbage collection under HTTP/2 load (sluice serve)', () => {
  let cfg: ConfigDir;
  let up: Upstream;
  let sluice: SluiceProcess;
  let session: http2.ClientHttp2Session | undefined;

  before(async () => {
    up = await startUpstream('gc', (_req, res) => res.end('ok'));
    cfg = await ConfigDir.create();
    await cfg.write('app.yaml', [ingress('gc', [{ hosts: ['gc.example.com'], paths: [{ splits: [{ service: 'gc' }] }] }]), ...backend('gc', [{ ip: '127.0.0.1', port: up.port }])]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0'], ['http', 'local', 'admin'], {
      nodeArgs: ['--trace-pretenuring-statistics'],
    });
  });

  after(async () => {
    session?.destroy();
    await sluice?.stop();
    await up?.close();
    await cfg?.cleanup();
  });

  it('never pretenures allocation sites while it proxies requests', async () => {
    // Only what V8 decides once serving starts: module loading ran before the gateway's code could say anything.
    const from = sluice.lines.length;
    session = connectH2(sluice.addresses.http!);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < REQUESTS) {
        next++;
        const r = await h2Request(session!, { ':path': '/', ':authority': 'gc.example.com' });
        assert.equal(r.status, 200);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const traced = sluice.lines.slice(from).filter((l) => l.includes('pretenuring:'));
    assert.deepEqual(traced.slice(0, 5), []);
  });
});
