// `serve --workers N`: the primary's admin endpoint asks for the token too, and its /config_dump
// shows Envoy listeners where the workers' listeners are bound (`:0` ports resolved).
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually, get } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { freePort } from './workers-helpers.ts';

const TOKEN = 'workers-token-5d1c';

describe('admin endpoint of serve --workers 2', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let admin: string;
  const auth = { authorization: `Bearer ${TOKEN}` };

  before(async () => {
    cfg = await ConfigDir.create();
    await cfg.write('a.yaml', [...backend('web', [{ ip: '127.0.0.1', port: 1 }]), ingress('shop', [{ hosts: ['shop.example.com'], paths: [{ splits: [{ service: 'web' }] }] }])]);
    await writeFile(join(cfg.dir, 'admin.token'), TOKEN);
    admin = `127.0.0.1:${await freePort()}`;
    sluice = await startSluice(['serve', '--config', cfg.dir, '--workers', '2', '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', admin, '--admin-token-file', join(cfg.dir, 'admin.token')], ['http', 'admin']);
    assert.ok(await eventually(async () => (await get(admin, 'admin', '/ready')).status === 200, 60_000), 'workers ready');
  });
  after(async () => {
    await sluice?.stop('SIGKILL');
    await cfg?.cleanup();
  });

  it('answers 401 without the token and 200 with it', async () => {
    assert.equal((await get(admin, 'admin', '/status')).status, 401);
    assert.equal((await get(admin, 'admin', '/status', auth)).status, 200);
    assert.equal((await get(admin, 'admin', '/upstreams', auth)).status, 200);
  });

  it("puts /config_dump's external listener on the workers' bound --http port", async () => {
    const dump = JSON.parse((await get(admin, 'admin', '/config_dump', auth)).body) as {
      configs: [{ dynamic_listeners: { name: string; active_state: { listener: { address: { socket_address: { port_value: number } } } } }[] }];
    };
    const external = dump.configs[0].dynamic_listeners.find((l) => l.name === 'external')!;
    assert.equal(external.active_state.listener.address.socket_address.port_value, Number(sluice.addresses.http!.split(':').pop()));
  });
});
