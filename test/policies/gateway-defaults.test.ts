// config-sluice's policy defaults through `sluice serve` (file mode): `extauthz-*` keys put ext_authz
// (a real gRPC server from Envoy's protos) on every route whose own policy does not disable or
// change it, and `stream-idle-timeout` an idle timeout on every route without its own; both
// hot-reloaded, a bad value rejected with its key while the last good settings keep serving.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually, get, getJson } from '../support/http.ts';
import { type SluiceProcess, runSluice, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';
import { type AuthzServer, startGrpcAuthz, startHttpAuthz } from './authz-servers.ts';
import { trafficPolicy } from './helpers.ts';

const GOOD = { authorization: 'Bearer good' };
const configSluice = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'config-sluice', namespace: 'sluice-system' }, data });

interface StatusBody {
  rejected: Array<{ file: string; errors: Array<{ path: string; message: string }> }>;
}

describe('config-sluice ext_authz and stream idle timeout defaults through sluice serve', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let echo: Upstream;
  /** answers headers only after 1.5 s of silence */
  let slow: Upstream;
  let grpcAuthz: AuthzServer;
  let httpAuthz: AuthzServer;
  const status = async (host: string, headers: Record<string, string> = {}) => (await get(sluice.addresses.http!, `${host}.example.com`, '/', headers)).status;
  let defaults: Record<string, string>;

  before(async () => {
    [echo, grpcAuthz, httpAuthz] = await Promise.all([startUpstream('echo'), startGrpcAuthz(), startHttpAuthz()]);
    slow = await startUpstream('slow', (_req, res) => {
      const t = setTimeout(() => res.end('late'), 1500);
      res.on('close', () => clearTimeout(t));
    });
    cfg = await ConfigDir.create();
    const site = (name: string, service: string, policy?: string) =>
      ingress(name, [{ hosts: [`${name}.example.com`], paths: [{ splits: [{ service }] }] }], policy === undefined ? {} : { annotations: { 'sluice.dev/traffic-policy': policy } });
    defaults = { 'extauthz-host': grpcAuthz.address, 'extauthz-timeout': '10s', 'stream-idle-timeout': '300ms' };
    await cfg.write('config.yaml', [
      site('guarded', 'echo'),
      site('open', 'echo', 'no-authz'),
      site('own', 'echo', 'own-authz'),
      site('slow', 'slow'),
      site('patient', 'slow', 'patient'),
      trafficPolicy('no-authz', { extAuthz: { disabled: true } }),
      trafficPolicy('own-authz', { extAuthz: { http: { url: `http://${httpAuthz.address}` }, timeout: '2s' } }),
      trafficPolicy('patient', { timeouts: { idle: '10s' } }),
      ...backend('echo', [{ ip: '127.0.0.1', port: echo.port }]),
      ...backend('slow', [{ ip: '127.0.0.1', port: slow.port }]),
    ]);
    await cfg.write('config-sluice.yaml', [configSluice(defaults)]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    assert.ok(await eventually(async () => (await status('open')) === 200, 10_000));
  });

  after(async () => {
    await sluice?.stop();
    await Promise.all([echo?.close(), slow?.close(), grpcAuthz?.close(), httpAuthz?.close()]);
    await cfg?.cleanup();
  });

  it('authorizes every route with the gateway-wide server unless its policy disables or changes it', async () => {
    assert.equal(await status('guarded'), 401);
    assert.equal(await status('guarded', GOOD), 200);
    assert.equal(grpcAuthz.seen.at(-1)!.headers.authorization, 'Bearer good');
    assert.equal(await status('open'), 200, 'disabled: true');
    const asked = httpAuthz.seen.length;
    assert.equal(await status('own'), 401, "the route's own server");
    assert.equal(httpAuthz.seen.length, asked + 1);
  });

  it("cuts an exchange idle for stream-idle-timeout, unless the route's own idle timeout is longer", async () => {
    assert.equal(await status('slow', GOOD), 504);
    assert.equal(await status('patient', GOOD), 200);
  });

  it('rejects a bad value naming its key, keeps the last good settings, and applies the next good edit', async () => {
    await cfg.write('config-sluice.yaml', [configSluice({ ...defaults, 'extauthz-timeout': 'soon', 'extauthz-protocol': 'smtp' })]);
    let seen: StatusBody['rejected'][number] | undefined;
    assert.ok(await eventually(async () => {
      seen = (await getJson<StatusBody>(sluice.addresses.admin!, 'admin', '/status')).json.rejected.find((r) => r.file === 'config-sluice.yaml');
      return seen !== undefined;
    }, 10_000, 100));
    const paths = seen!.errors.map((e) => e.path);
    assert.ok(paths.includes('data.extauthz-timeout') && paths.includes('data.extauthz-protocol'), JSON.stringify(seen));
    assert.equal(await status('guarded'), 401, 'still authorized');

    await cfg.write('config-sluice.yaml', [configSluice({ 'stream-idle-timeout': '5s' })]);
    assert.ok(await eventually(async () => (await status('guarded')) === 200, 10_000, 100), 'ext_authz gone with its keys');
    assert.equal(await status('slow'), 200, 'a longer idle timeout');
  });

  it('sluice validate names an extauthz key set without extauthz-host', async () => {
    const bad = await ConfigDir.create();
    try {
      await bad.write('c.yaml', [configSluice({ 'extauthz-failure-mode-allow': 'true', 'stream-idle-timeout': '-1s' })]);
      const out = await runSluice(['validate', bad.dir]);
      assert.equal(out.code, 1);
      const text = out.stdout + out.stderr;
      assert.match(text, /data\.extauthz-failure-mode-allow: .*extauthz-host/);
      assert.match(text, /data\.stream-idle-timeout: /);
    } finally {
      await bad.cleanup();
    }
  });
});
