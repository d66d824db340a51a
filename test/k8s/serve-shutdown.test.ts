// `serve --kubernetes` on SIGTERM, as in a rollout: the leader hands the Lease over at once (a follower
// leads within about a second) while it keeps serving, /ready failing, for --drain-delay; then it exits 0.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { FakeApiServer } from '../support/fake-apiserver.ts';
import { startSluice, type SluiceProcess } from '../support/sluice.ts';
import { waitFor } from './helpers.ts';

describe('serve --kubernetes shutdown', () => {
  let api: FakeApiServer;
  const procs: SluiceProcess[] = [];
  const start = async (id: string): Promise<SluiceProcess> => {
    const p = await startSluice(
      ['serve', '--kubernetes', '--kubeconfig', api.kubeconfigPath, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--health', '127.0.0.1:0', '--id', id, '--drain-delay', '4'],
      ['http', 'local', 'admin', 'health'],
      { boundMs: 30_000 },
    );
    procs.push(p);
    return p;
  };
  const holder = (): string | undefined => (api.get('coordination.k8s.io/v1', 'Lease', 'sluice-system', 'sluice-leader')?.spec as { holderIdentity?: string } | undefined)?.holderIdentity;
  const status = async (addr: string, path: string, host = 'x'): Promise<number> => {
    try {
      return (await fetch(`http://${addr}${path}`, { headers: { host } })).status;
    } catch {
      return 0;
    }
  };

  before(async () => {
    api = await FakeApiServer.start();
  });
  after(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await api.close();
  });

  it('the leader releases the Lease at SIGTERM and keeps serving through the drain delay', async () => {
    const r1 = await start('r1');
    await waitFor(() => holder() === 'r1', 10_000, 'r1 leads');
    const r2 = await start('r2');
    await waitFor(async () => (await status(r2.addresses.health!, '/ready')) === 200, 10_000, 'r2 ready');
    const exited = once(r1.child, 'exit') as Promise<[number | null]>;
    const t0 = Date.now();
    r1.child.kill('SIGTERM');
    await waitFor(() => holder() === 'r2', 3000, 'r2 leads');
    const handover = Date.now() - t0;
    assert.ok(handover < 2000, `r2 took over ${handover} ms after SIGTERM`);
    assert.equal(await status(r1.addresses.health!, '/ready'), 503, 'r1 is not ready');
    assert.equal(await status(r1.addresses.http!, '/', 'nobody.example'), 404, 'r1 still answers on its listener');
    assert.equal(r1.child.exitCode, null, 'r1 is still in its drain delay');
    const [code] = await exited;
    assert.equal(code, 0);
    assert.ok(Date.now() - t0 >= 3900, 'r1 exited after the delay');
  });
});
