// `sluice serve --workers 2`: two processes share the listeners; both answer, and SIGTERM stops all.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { startUpstream } from '../support/upstream.ts';
import { startSluice } from '../support/sluice.ts';
import { get } from '../support/http.ts';
import net from 'node:net';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('sluice serve --workers', () => {
  it('serves from two worker processes on the same port and stops them all on SIGTERM', async () => {
    const up = await startUpstream('up');
    const cfg = await ConfigDir.create();
    await cfg.write('a.yaml', [...backend('up', [{ ip: '127.0.0.1', port: up.port }]), ingress('w', [{ hosts: ['w.example.com'], paths: [{ splits: [{ service: 'up' }] }] }])]);
    // Workers share listeners through the primary, so fixed ports are used (port 0 would differ per worker).
    const [http, local, admin, https] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const sluice = await startSluice(
      ['serve', '--config', cfg.dir, '--workers', '2', '--http', `127.0.0.1:${http}`, '--local', `127.0.0.1:${local}`, '--admin', `127.0.0.1:${admin}`, '--https', `127.0.0.1:${https}`],
      ['http'],
    );
    try {
      // Both workers log `listening`; wait until two distinct pids have.
      const pids = new Set<unknown>();
      const deadline = Date.now() + 20_000;
      while (pids.size < 2 && Date.now() < deadline) {
        for (const l of sluice.lines) {
          try {
            const e = JSON.parse(l) as { msg?: string; listener?: string; pid?: unknown };
            if (e.msg === 'listening' && e.listener === 'http') pids.add(e.pid ?? l);
          } catch { /* not JSON */ }
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(pids.size, 2, 'two workers listening');
      for (let i = 0; i < 20; i++) assert.equal((await get(`127.0.0.1:${http}`, 'w.example.com')).status, 200);
      assert.equal(await sluice.stop('SIGTERM'), 0);
    } finally {
      await sluice.stop('SIGKILL');
      await up.close();
      await cfg.cleanup();
    }
  });
});
