// Hot reload of the config directory: every kind of change is served within a second, invalid
// documents keep the last good version, and reloads under load drop no request.
import assert from 'node:assert/strict';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress, toYaml } from '../support/config.ts';
import { type EchoReply, type Upstream, startUpstream } from '../support/upstream.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { eventually, get, getJson } from '../support/http.ts';

interface StatusBody {
  ingresses: Array<{ name: string; conditions: Array<{ type: string; status: string; reason?: string; message?: string }> }>;
  rejected: Array<{ file: string; errors: Array<{ path: string; message: string }> }>;
}

describe('hot reload (sluice serve --config)', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let a: Upstream;
  let b: Upstream;
  const app = (name: string, host: string, service: string, headerValue = 'one') =>
    ingress(name, [{ hosts: [host], paths: [{ appendHeaders: { 'X-Config': headerValue }, splits: [{ service }] }] }]);
  const served = (host: string, want: (r: EchoReply) => boolean, boundMs = 1000) =>
    eventually(async () => {
      const r = await get(sluice.addresses.http!, host);
      return r.status === 200 && want(JSON.parse(r.body) as EchoReply);
    }, boundMs);
  const gone = (host: string, boundMs = 1000) => eventually(async () => (await get(sluice.addresses.http!, host)).status === 404, boundMs);

  before(async () => {
    a = await startUpstream('a');
    b = await startUpstream('b');
    cfg = await ConfigDir.create();
    await cfg.write('backends.yaml', [...backend('a', [{ ip: '127.0.0.1', port: a.port }]), ...backend('b', [{ ip: '127.0.0.1', port: b.port }])]);
    await cfg.write('app.yaml', [app('app', 'app.example.com', 'a')]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  });

  after(async () => {
    await sluice?.stop();
    await a?.close();
    await b?.close();
    await cfg?.cleanup();
  });

  it('serves an edit (atomic replace) within a second', async () => {
    assert.equal((await getJson<EchoReply>(sluice.addresses.http!, 'app.example.com')).json.name, 'a');
    await cfg.write('app.yaml', [app('app', 'app.example.com', 'b')]);
    assert.ok(await served('app.example.com', (r) => r.name === 'b'), 'edit served within 1 s');
  });

  it('serves an in-place edit, a new file, a new subdirectory, a rename and a delete', async () => {
    await writeFile(join(cfg.dir, 'app.yaml'), toYaml([app('app', 'app.example.com', 'a', 'inplace')]));
    assert.ok(await served('app.example.com', (r) => r.headers['x-config'] === 'inplace'), 'in-place write');
    await cfg.write('new.yml', [app('new', 'new.example.com', 'a')]);
    assert.ok(await served('new.example.com', (r) => r.name === 'a'), 'new file');
    await mkdir(join(cfg.dir, 'team', 'deep'), { recursive: true });
    await writeFile(join(cfg.dir, 'team', 'deep', 'sub.json'), JSON.stringify(app('sub', 'sub.example.com', 'b')));
    assert.ok(await served('sub.example.com', (r) => r.name === 'b'), 'file in a new subdirectory');
    await rename(join(cfg.dir, 'new.yml'), join(cfg.dir, 'renamed.yaml'));
    assert.ok(await served('new.example.com', (r) => r.name === 'a'), 'still served after rename');
    await rename(join(cfg.dir, 'renamed.yaml'), join(cfg.dir, 'renamed.txt'));
    assert.ok(await gone('new.example.com'), 'renamed to a non-config extension: removed');
    await cfg.remove('renamed.txt');
    await cfg.remove(join('team', 'deep', 'sub.json'));
    assert.ok(await gone('sub.example.com'), 'deleted');
  });

  it('keeps the last good version of an invalid document and reports it in /status', async () => {
    await cfg.write('app.yaml', [app('app', 'app.example.com', 'a', 'good')]);
    assert.ok(await served('app.example.com', (r) => r.headers['x-config'] === 'good'));
    const bad = app('app', 'app.example.com', 'b', 'bad') as { spec: { rules: Array<{ http: { paths: Array<{ splits: Array<{ percent: number }> }> } }> } };
    bad.spec.rules[0]!.http.paths[0]!.splits[0]!.percent = 150;
    await cfg.write('app.yaml', [bad]);
    const reported = await eventually(async () => {
      const s = (await getJson<StatusBody>(sluice.addresses.admin!, 'admin', '/status')).json;
      const ready = s.ingresses.find((i) => i.name === 'app')?.conditions.find((c) => c.type === 'Ready');
      return ready?.status === 'False' && s.rejected.some((r) => r.file === 'app.yaml' && r.errors.some((e) => e.path.includes('percent')));
    }, 2000);
    assert.ok(reported, '/status shows Ready=False and the rejected field');
    const r = await getJson<EchoReply>(sluice.addresses.http!, 'app.example.com');
    assert.equal(r.json.headers['x-config'], 'good', 'last good version still served');
    // A broken YAML file is reported too and changes nothing else.
    await cfg.write('broken.yaml', 'kind: [unclosed\n');
    assert.ok(await eventually(async () => (await getJson<StatusBody>(sluice.addresses.admin!, 'admin', '/status')).json.rejected.some((x) => x.file === 'broken.yaml'), 2000));
    assert.equal((await getJson<EchoReply>(sluice.addresses.http!, 'app.example.com')).json.headers['x-config'], 'good');
    await cfg.remove('broken.yaml');
    await cfg.write('app.yaml', [app('app', 'app.example.com', 'a', 'fixed')]);
    assert.ok(await served('app.example.com', (r) => r.headers['x-config'] === 'fixed'));
    const s = (await getJson<StatusBody>(sluice.addresses.admin!, 'admin', '/status')).json;
    assert.equal(s.ingresses.find((i) => i.name === 'app')?.conditions.find((c) => c.type === 'Ready')?.status, 'True');
  });

  it('drops no request while reloading under steady load', async () => {
    let stop = false;
    let ok = 0;
    const errors: string[] = [];
    const loop = async () => {
      while (!stop) {
        try {
          const r = await get(sluice.addresses.http!, 'app.example.com');
          if (r.status === 200) ok++;
          else errors.push(`status ${r.status}`);
        } catch (err) {
          errors.push((err as Error).message);
        }
      }
    };
    const loops = Array.from({ length: 8 }, loop);
    for (let i = 0; i < 6; i++) {
      await cfg.write('app.yaml', [app('app', 'app.example.com', i % 2 ? 'a' : 'b', `load-${i}`)]);
      assert.ok(await served('app.example.com', (r) => r.headers['x-config'] === `load-${i}`, 2000), `reload ${i} served`);
    }
    stop = true;
    await Promise.all(loops);
    assert.deepEqual(errors, []);
    assert.ok(ok > 50, `requests completed during reloads: ${ok}`);
  });
});
