// `sluice check`: exit 0 with a summary for a healthy gateway; exit 1 listing rejected documents,
// objects not Ready/Accepted and routes' clusters without endpoints; exit 1 when unreachable.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { backend, type ConfigDir, ingress } from '../support/config.ts';
import { eventually, getJson } from '../support/http.ts';
import { runSluice, type SluiceProcess, startSluice } from '../support/sluice.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { inspectConfig, serveArgs } from './inspect-fixture.ts';

describe('sluice check', () => {
  let up: Upstream;
  let cfg: ConfigDir;
  let sluice: SluiceProcess;

  before(async () => {
    up = await startUpstream('up');
    ({ cfg } = await inspectConfig(up.port));
    sluice = await startSluice(serveArgs(cfg.dir));
  });
  after(async () => {
    await sluice?.stop();
    await up?.close();
    await cfg?.cleanup();
  });

  it('exits 0 with a one-line summary when nothing is wrong', async () => {
    const r = await runSluice(['check', '--admin', sluice.addresses.admin!]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^No problems: configuration version \d+ served; checked ingresses 2, gateways 1, routes 1, Gloo objects 3, traffic policies 1, clusters \d+\.\n$/);
  });

  it('exits 1 listing rejected documents, objects not Ready or Accepted, and clusters without endpoints', async () => {
    await cfg.write('broken.yaml', [
      ...backend('empty', []),
      ingress('no-endpoints', [{ hosts: ['empty.example.com'], paths: [{ splits: [{ service: 'empty' }] }] }]),
      ingress('no-service', [{ hosts: ['missing.example.com'], paths: [{ splits: [{ service: 'missing' }] }] }]),
      ingress('bad', [{ hosts: ['bad.example.com'], paths: [{ path: 'no-slash', splits: [{ service: 'empty' }] }] }]),
      { apiVersion: 'gloo.solo.io/v1', kind: 'Upstream', metadata: { name: 'hostless', namespace: 'gloo-system' }, spec: { static: { hosts: [] } } },
    ]);
    assert.ok(await eventually(async () => (await getJson<{ rejected: unknown[] }>(sluice.addresses.admin!, 'admin', '/status')).json.rejected.length > 0, 10_000));
    const r = await runSluice(['check', '--admin', sluice.addresses.admin!]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0]!, /^Problems \(\d+\):$/);
    const has = (re: RegExp) => assert.ok(lines.some((l) => re.test(l)), `${re} in:\n${r.stdout}`);
    has(/^ {2}rejected .*broken\.yaml:\d+ Ingress default\/bad: spec\.rules\[0\]\.http\.paths\[0\]\.path: /);
    has(/^ {2}Ingress default\/no-service: Ready False \(ServiceNotFound: /);
    has(/^ {2}cluster default\/empty:80: no ready endpoints \(requests get 503\), used by Ingress default\/no-endpoints$/);
    has(/^ {2}Upstream gloo-system\/hostless: Rejected \(spec\.static\.hosts: must list at least one host\)$/);
  });

  it('exits 1 when the admin endpoint cannot be reached', async () => {
    const r = await runSluice(['check', '--admin', '127.0.0.1:1']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'sluice: cannot reach the admin endpoint at 127.0.0.1:1: ECONNREFUSED\n');
  });
});
