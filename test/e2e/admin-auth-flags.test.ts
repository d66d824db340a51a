// Admin exposure flags: `serve` refuses a non-loopback --admin without a token file (or
// --admin-insecure), and unusable token files, each in one line; --admin-insecure serves without one.
// (Apart from admin-auth.test.ts: each CLI process is slow on a loaded machine, and a file has 120 s.)
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend } from '../support/config.ts';
import { get } from '../support/http.ts';
import { runSluice, startSluice } from '../support/sluice.ts';

describe('admin endpoint exposure flags', () => {
  let cfg: ConfigDir;
  before(async () => {
    cfg = await ConfigDir.create();
    await cfg.write('a.yaml', [...backend('web', [{ ip: '127.0.0.1', port: 1 }])]);
  });
  after(() => cfg?.cleanup());

  it('refuses a non-loopback --admin without a token file, in one line naming the flags', async () => {
    const r = await runSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '0.0.0.0:0']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'sluice: --admin: 0.0.0.0 is not a loopback address, and the admin endpoint shows the whole configuration: give --admin-token-file FILE (or --admin-insecure to serve it without a token)\n');
  });

  it('sluice demo follows the same rule: a non-loopback --admin needs a token file or --admin-insecure', async () => {
    const r = await runSluice(['demo', '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '0.0.0.0:0']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'sluice: --admin: 0.0.0.0 is not a loopback address, and the admin endpoint shows the whole configuration: give --admin-token-file FILE (or --admin-insecure to serve it without a token)\n');
  });

  it('refuses an unreadable or empty token file', async () => {
    const missing = await runSluice(['serve', '--config', cfg.dir, '--admin', '127.0.0.1:0', '--admin-token-file', join(cfg.dir, 'missing')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^sluice: --admin-token-file: cannot read .*missing: ENOENT\n$/);
    await writeFile(join(cfg.dir, 'empty.token'), '\n');
    const empty = await runSluice(['serve', '--config', cfg.dir, '--admin', '127.0.0.1:0', '--admin-token-file', join(cfg.dir, 'empty.token')]);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /must hold one token/);
  });

  it('serves a non-loopback --admin without a token with --admin-insecure', async () => {
    const s = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '0.0.0.0:0', '--admin-insecure'], ['admin']);
    try {
      assert.equal((await get(`127.0.0.1:${s.addresses.admin!.split(':').pop()}`, 'admin', '/status')).status, 200);
    } finally {
      await s.stop();
    }
  });
});
