// --max-config-file-size and --max-config-documents on a real `sluice serve`: a file over either
// limit is a rejection of that file in /status and the log, and what it held keeps serving.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress, toYaml } from '../support/config.ts';
import { eventually, get, getJson } from '../support/http.ts';
import { runSluice, type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type EchoReply, type Upstream, startUpstream } from '../support/upstream.ts';

interface StatusBody {
  rejected: Array<{ file?: string; errors: Array<{ path: string; message: string }> }>;
}

describe('config file limits (sluice serve --max-config-file-size, --max-config-documents)', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let up: Upstream;
  const app = (name: string, value: string) =>
    ingress(name, [{ hosts: [`${name}.example.com`], paths: [{ appendHeaders: { 'X-Config': value }, splits: [{ service: 'up' }] }] }]);
  const config = async (host: string) => {
    const r = await get(sluice.addresses.http!, host);
    return r.status === 200 ? String((JSON.parse(r.body) as EchoReply).headers['x-config']) : `status ${r.status}`;
  };
  const rejection = async () => (await getJson<StatusBody>(sluice.addresses.admin!, 'admin', '/status')).json.rejected.find((r) => r.file === 'app.yaml');

  before(async () => {
    up = await startUpstream('up');
    cfg = await ConfigDir.create();
    await cfg.write('backends.yaml', backend('up', [{ ip: '127.0.0.1', port: up.port }]));
    await cfg.write('app.yaml', [app('one', 'good'), app('two', 'good')]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--max-config-file-size', '2000', '--max-config-documents', '2']);
  });

  after(async () => {
    await sluice?.stop();
    await up?.close();
    await cfg?.cleanup();
  });

  it('rejects a file with too many documents and keeps serving what it held', async () => {
    assert.equal(await config('one.example.com'), 'good');
    await cfg.write('app.yaml', [app('one', 'three'), app('two', 'three'), app('three', 'three')]);
    assert.ok(await eventually(async () => (await rejection()) !== undefined, 3000), '/status shows the rejection');
    assert.match((await rejection())!.errors[0]!.message, /more than 2 documents \(--max-config-documents\)/);
    await sluice.waitForLog((e) => e.msg === 'config rejected: app.yaml: file holds more than 2 documents (--max-config-documents); split it into several files', 3000);
    assert.equal(await config('one.example.com'), 'good');
    assert.equal(await config('two.example.com'), 'good');
    assert.equal(await config('three.example.com'), 'status 404');
  });

  it('rejects a file over the size limit and keeps serving what it held', async () => {
    const big = `${toYaml([app('one', 'big'), app('two', 'big')])}# ${'x'.repeat(2000)}\n`;
    await cfg.write('app.yaml', big);
    assert.ok(await eventually(async () => /larger than the 2000-byte limit \(--max-config-file-size\)/.test((await rejection())?.errors[0]?.message ?? ''), 3000));
    assert.equal(await config('one.example.com'), 'good');
    await cfg.write('app.yaml', [app('one', 'small'), app('two', 'small')]);
    assert.ok(await eventually(async () => (await config('two.example.com')) === 'small', 3000), 'back under the limits: served');
    assert.equal(await rejection(), undefined);
  });

  it('refuses unusable limit values with one line', async () => {
    for (const [flag, value] of [['--max-config-file-size', '0'], ['--max-config-documents', '1.5'], ['--max-config-documents', 'many']] as const) {
      const r = await runSluice(['serve', '--config', cfg.dir, flag, value], { boundMs: 30_000 });
      assert.equal(r.code, 2, `${flag} ${value}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^sluice: ${flag}: "${value.replace('.', '\\.')}" must be a`));
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
  });
});
