// The library API (src/index.ts, the package's main export): createGateway starts the gateway
// `sluice serve --config` runs, in this process, and refuses unusable options naming them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createGateway, SluiceError, type SluiceGateway } from '../../src/index.ts';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { get } from '../support/http.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';

describe('createGateway', () => {
  let cfg: ConfigDir;
  let up: Upstream;

  before(async () => {
    up = await startUpstream('up');
    cfg = await ConfigDir.create();
    await cfg.write('app.yaml', [...backend('up', [{ ip: '127.0.0.1', port: up.port }]), ingress('app', [{ hosts: ['app.example.com'], paths: [{ splits: [{ service: 'up' }] }] }])]);
  });

  after(async () => {
    await up?.close();
    await cfg?.cleanup();
  });

  it('serves a config directory on a free port, reports ready, metrics and snapshots, and stops', async () => {
    let gw: SluiceGateway | undefined;
    try {
      gw = await createGateway({ config: cfg.dir, http: '127.0.0.1:0' });
      assert.ok(gw.ready());
      assert.match(gw.addresses.http ?? '', /^127\.0\.0\.1:\d+$/);
      assert.equal(gw.addresses.admin, undefined);
      assert.ok(gw.snapshots.current(), 'a snapshot is served');
      const res = await get(gw.addresses.http!, 'app.example.com');
      assert.equal(res.status, 200);
      assert.match(await gw.metrics(), /^# HELP /m);
      assert.doesNotMatch(await gw.metrics(), /process_cpu/, 'no process metrics unless asked');
    } finally {
      await gw?.stop();
    }
    assert.equal(gw?.ready(), false);
  });

  const refusals: Array<[string, Parameters<typeof createGateway>[0], RegExp]> = [
    ['neither config nor source', { http: '127.0.0.1:0' }, /exactly one of the options config and source/],
    ['no listener', { config: '.' }, /at least one listener \(http, https or local\)/],
    ['a bad address', { config: '.', http: 'localhost' }, /^createGateway option http: "localhost" is not a host:port address/],
  ];
  for (const [what, options, message] of refusals) {
    it(`refuses ${what} with a SluiceError naming the option`, async () => {
      await assert.rejects(createGateway(options), (err: unknown) => err instanceof SluiceError && message.test(err.message));
    });
  }

  it('rejects a config directory that does not exist with SLUICE_ERR_CONFIG_DIR', async () => {
    await assert.rejects(createGateway({ config: `${cfg.dir}/missing`, http: '127.0.0.1:0' }), (err: unknown) => err instanceof SluiceError && err.code === 'SLUICE_ERR_CONFIG_DIR');
  });
});
