// A config file that stops parsing (a typo, a half-written file) keeps serving every ingress it
// held, and says why in /status, the log and the rejects metric; once it parses, the edit is served.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress, toYaml } from '../support/config.ts';
import { eventually, get, getJson } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type EchoReply, type Upstream, startUpstream } from '../support/upstream.ts';

interface StatusBody {
  rejected: Array<{ file?: string; doc?: number; line?: number; errors: Array<{ path: string; message: string }> }>;
}

describe('a config file that does not parse (sluice serve --config)', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let up: Upstream;
  const app = (name: string, value: string) =>
    ingress(name, [{ hosts: [`${name}.example.com`], paths: [{ appendHeaders: { 'X-Config': value }, splits: [{ service: 'up' }] }] }]);
  const both = (one: string, two: string) => toYaml([app('one', one), app('two', two)]);
  const config = async (host: string): Promise<string | undefined> => {
    const r = await get(sluice.addresses.http!, host);
    return r.status === 200 ? String((JSON.parse(r.body) as EchoReply).headers['x-config']) : `status ${r.status}`;
  };
  const status = async () => (await getJson<StatusBody>(sluice.addresses.admin!, 'admin', '/status')).json;
  const rejects = async () => Number(/^sluice_config_rejects_total(?:\{[^}]*\})? (\d+)/m.exec((await get(sluice.addresses.admin!, 'admin', '/metrics')).body)?.[1] ?? 'NaN');
  /** Writes in place (not temp + rename): what a slow or interrupted writer leaves behind. */
  const overwrite = (text: string) => writeFile(join(cfg.dir, 'app.yaml'), text);

  before(async () => {
    up = await startUpstream('up');
    cfg = await ConfigDir.create();
    await cfg.write('backends.yaml', backend('up', [{ ip: '127.0.0.1', port: up.port }]));
    await cfg.write('app.yaml', both('good', 'good'));
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  });

  after(async () => {
    await sluice?.stop();
    await up?.close();
    await cfg?.cleanup();
  });

  it('keeps both ingresses of a file with a syntax error in the middle, and shows the error', async () => {
    assert.equal(await config('one.example.com'), 'good');
    assert.equal(await config('two.example.com'), 'good');
    const rejectsBefore = await rejects();
    // the first document breaks; the second is edited and parses, but the file as a whole does not
    await overwrite(both('typo', 'edited').replace('kind: Ingress', 'kind: [Ingress'));
    const shown = await eventually(async () => (await status()).rejected.some((r) => r.file === 'app.yaml'), 3000);
    assert.ok(shown, '/status shows the parse error');
    const r = (await status()).rejected.find((x) => x.file === 'app.yaml')!;
    assert.equal(typeof r.line, 'number');
    assert.match(r.errors[0]!.message, new RegExp(`^YAML syntax error at line ${r.line}, column \\d+: `));
    assert.equal(await config('one.example.com'), 'good');
    assert.equal(await config('two.example.com'), 'good', 'the second document is not applied from a file that does not parse');
    assert.ok((await rejects()) > rejectsBefore, 'sluice_config_rejects_total counts it');
    await sluice.waitForLog((e) => typeof e.msg === 'string' && /^config rejected: app\.yaml:\d+: YAML syntax error at line \d+, column \d+: /.test(e.msg), 3000);

    await overwrite(both('fixed', 'fixed'));
    assert.ok(await eventually(async () => (await config('one.example.com')) === 'fixed' && (await config('two.example.com')) === 'fixed', 3000), 'the fixed file is served');
    assert.deepEqual((await status()).rejected, []);
  });

  it('keeps both ingresses of a file cut in the middle of its second document', async () => {
    const text = both('half', 'half');
    const second = text.indexOf('name: two');
    // cut inside the second document's flow of keys: `spec:` with a dangling `[` does not parse
    await overwrite(`${text.slice(0, second)}name: two\n  labels: [a,\n`);
    assert.ok(await eventually(async () => (await status()).rejected.some((r) => r.file === 'app.yaml'), 3000));
    assert.equal(await config('one.example.com'), 'fixed');
    assert.equal(await config('two.example.com'), 'fixed');

    // A cut that still parses: the complete first document is applied, and the truncated second one
    // (named, but without its spec) is rejected by validation, so its last good version serves.
    const spec = text.indexOf('spec:', second);
    await overwrite(text.slice(0, spec));
    assert.ok(await eventually(async () => (await config('one.example.com')) === 'half', 3000), 'the complete document is applied');
    assert.equal(await config('two.example.com'), 'fixed');
    assert.ok((await status()).rejected.some((r) => r.file === 'app.yaml' && r.doc === 1));

    await overwrite(text);
    assert.ok(await eventually(async () => (await config('two.example.com')) === 'half', 3000), 'the whole file is served');
  });
});
