// Admin exposure: the admin endpoint stays on loopback unless given a bearer token (or told
// --admin-insecure); with a token every admin path but /ready and /live answers 401 without it; the
// health port never asks for one; the CLI sends it from --token or SLUICE_ADMIN_TOKEN.
import assert from 'node:assert/strict';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { get } from '../support/http.ts';
import { runSluice, type SluiceProcess, startSluice } from '../support/sluice.ts';
import { runAll } from '../cli/cli-runs.ts';

const TOKEN = 'tok-3f9c1e0b7a2d4c68';
const tokenFile = (cfg: ConfigDir): string => join(cfg.dir, 'admin.token');

describe('admin endpoint with --admin-token-file', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let admin: string;

  before(async () => {
    cfg = await ConfigDir.create();
    await cfg.write('a.yaml', [...backend('web', [{ ip: '127.0.0.1', port: 1 }]), ingress('shop', [{ hosts: ['shop.example.com'], paths: [{ splits: [{ service: 'web' }] }] }])]);
    // Not a .yaml/.json file, so the config reader leaves it alone.
    await writeFile(tokenFile(cfg), `${TOKEN}\n`);
    // Not loopback: allowed because a token is required.
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '0.0.0.0:0', '--admin-token-file', tokenFile(cfg)], ['http', 'local', 'admin', 'health']);
    admin = `127.0.0.1:${sluice.addresses.admin!.split(':').pop()}`;
  });
  after(async () => {
    await sluice?.stop();
    await cfg?.cleanup();
  });

  it('answers 401 with WWW-Authenticate without the token, a wrong one, or one of another length', async () => {
    for (const path of ['/status', '/config', '/metrics', '/upstreams', '/config_dump', '/', '/nope']) {
      const r = await get(admin, 'admin', path);
      assert.equal(r.status, 401, path);
      assert.match(String(r.headers['www-authenticate']), /^Bearer /);
    }
    assert.equal((await get(admin, 'admin', '/status', { authorization: `Bearer ${TOKEN.slice(0, -1)}x` })).status, 401);
    assert.equal((await get(admin, 'admin', '/status', { authorization: `Bearer ${TOKEN}${TOKEN}` })).status, 401);
    assert.equal((await get(admin, 'admin', '/status', { authorization: TOKEN })).status, 401);
  });

  it('answers 200 with the token', async () => {
    for (const path of ['/status', '/config', '/metrics', '/config_dump']) assert.equal((await get(admin, 'admin', path, { authorization: `Bearer ${TOKEN}` })).status, 200, path);
  });

  it('answers /ready and /live without a token, on the admin and the health port', async () => {
    for (const at of [admin, sluice.addresses.health!]) {
      assert.equal((await get(at, 'admin', '/ready')).status, 200);
      assert.equal((await get(at, 'admin', '/live')).status, 200);
    }
    assert.equal((await get(sluice.addresses.health!, 'admin', '/status')).status, 404);
  });

  it('follows a rotated token file (written aside and renamed over, as a mounted Secret is), and keeps the last good token when the file goes bad', async () => {
    const next = 'tok-rotated-5d0e8a';
    const aside = join(cfg.dir, 'admin.token.next');
    try {
      await writeFile(aside, `${next}\n`);
      await rename(aside, tokenFile(cfg));
      assert.equal((await get(admin, 'admin', '/status', { authorization: `Bearer ${TOKEN}` })).status, 401, 'the old token is refused');
      assert.equal((await get(admin, 'admin', '/status', { authorization: `Bearer ${next}` })).status, 200, 'the new token is taken');
      await writeFile(aside, '  \n');
      await rename(aside, tokenFile(cfg));
      assert.equal((await get(admin, 'admin', '/status', { authorization: `Bearer ${next}` })).status, 200, 'an empty file keeps the last good token');
      assert.equal((await get(admin, 'admin', '/status')).status, 401, 'and never opens the endpoint');
    } finally {
      await writeFile(tokenFile(cfg), `${TOKEN}\n`);
    }
    assert.equal((await get(admin, 'admin', '/status', { authorization: `Bearer ${TOKEN}` })).status, 200);
  });

  it('lets a browser in to /ui: a login form, then a same-site cookie its data requests carry', async () => {
    const page = await get(admin, 'admin', '/ui');
    assert.equal(page.status, 401);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.body, /<form method="post" action="\/ui\/login">/);
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const wrong = await get(admin, 'admin', '/ui/login', form, { method: 'POST', body: 'token=nope' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers['set-cookie'], undefined);
    const right = await get(admin, 'admin', '/ui/login', form, { method: 'POST', body: `token=${encodeURIComponent(TOKEN)}` });
    assert.equal(right.status, 303);
    assert.equal(right.headers.location, '/ui');
    const cookie = String(right.headers['set-cookie']);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const jar = { cookie: cookie.split(';')[0]! };
    assert.equal((await get(admin, 'admin', '/ui', jar)).status, 200);
    assert.equal((await get(admin, 'admin', '/ui/data', jar)).status, 200);
    assert.equal((await get(admin, 'admin', '/ui/data', { cookie: 'sluice-admin=nope' })).status, 401);
    assert.equal((await get(admin, 'admin', '/ui/login', form, { method: 'POST', body: 'x'.repeat(100_000) })).status, 413);
  });

  it('the CLI sends --token or SLUICE_ADMIN_TOKEN, and says when a token is wanted', async () => {
    const r = await runAll({
      none: ['get', 'ingresses', '--admin', admin],
      flag: ['get', 'ingresses', '--admin', admin, '--token', TOKEN],
      wrong: ['get', 'ingresses', '--admin', admin, '--token', 'nope'],
    });
    const env = await runSluice(['get', 'ingresses', '--admin', admin], { env: { SLUICE_ADMIN_TOKEN: TOKEN } });
    assert.equal(r.none!.code, 1);
    assert.equal(r.none!.stderr, `sluice: the admin endpoint at ${admin} wants a token: give --token or set SLUICE_ADMIN_TOKEN\n`);
    assert.match(r.wrong!.stderr, /the one given was refused/);
    for (const ok of [r.flag!, env]) {
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /^shop +True/m);
    }
  });
});
