// `sluice serve --workers 2` that cannot go on ends with one clear line and a non-zero exit, leaving
// no worker behind: a missing config directory, an xDS address in use (the xDS server starts in the
// primary once a worker listens), an HTTP address in use (a worker fails before it is ready).
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { ConfigDir } from '../support/config.ts';
import { runSluice } from '../support/sluice.ts';
import { freePort } from './workers-helpers.ts';

async function occupied(): Promise<{ port: number; close: () => Promise<void> }> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return { port: (s.address() as net.AddressInfo).port, close: () => new Promise((r) => s.close(() => r())) };
}

/** `serve --workers 2` with free fixed ports, plus `extra`. */
async function serveArgs(dir: string, extra: string[] = []): Promise<string[]> {
  const [http, local, https, admin] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const base = ['serve', '--config', dir, '--workers', '2', '--local', `127.0.0.1:${local}`, '--https', `127.0.0.1:${https}`, '--admin', `127.0.0.1:${admin}`];
  return [...base, ...(extra.includes('--http') ? [] : ['--http', `127.0.0.1:${http}`]), ...extra];
}

describe('sluice serve --workers 2 that cannot start', () => {
  it('a missing config directory', async () => {
    const r = await runSluice(await serveArgs('/nonexistent/sluice-config'), { boundMs: 30_000 });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /config directory \/nonexistent\/sluice-config does not exist/);
  });

  it('an xDS address in use', async () => {
    const cfg = await ConfigDir.create();
    const taken = await occupied();
    try {
      const r = await runSluice(await serveArgs(cfg.dir, ['--xds', `127.0.0.1:${taken.port}`]), { boundMs: 30_000 });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`127\\.0\\.0\\.1:${taken.port}`));
    } finally {
      await taken.close();
      await cfg.cleanup();
    }
  });

  it('an HTTP address in use', async () => {
    const cfg = await ConfigDir.create();
    const taken = await occupied();
    try {
      const r = await runSluice(await serveArgs(cfg.dir, ['--http', `127.0.0.1:${taken.port}`]), { boundMs: 30_000 });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /worker \d exited with code \d+ before it was ready; not restarting/);
    } finally {
      await taken.close();
      await cfg.cleanup();
    }
  });
});
