// `sluice serve` loads the heavy libraries of optional features (gRPC, OpenTelemetry, JWT, SigV4,
// protobuf descriptors, WebSockets) only when the configuration or the flags use them: a plain
// Knative configuration starts without them. Loaded modules are recorded by a `--import` hook.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually, get } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';
import { trafficPolicy } from '../policies/helpers.ts';
import { jwks, testKey } from '../policies/jwt-tokens.ts';

const recorder = new URL('./fixtures/record-loads.mjs', import.meta.url).href;

/** Packages a plain configuration must not load. */
const HEAVY = ['@grpc/grpc-js', '@grpc/grpc-js-xds', '@grpc/proto-loader', 'protobufjs', '@opentelemetry/', '@smithy/', 'jose', 'ws'];

function packagesIn(log: string): Set<string> {
  const names = new Set<string>();
  for (const m of log.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)) names.add(m[1]!);
  return names;
}

const loadedHeavy = (log: string): string[] => [...packagesIn(log)].filter((p) => HEAVY.some((h) => (h.endsWith('/') ? p.startsWith(h) : p === h))).sort();

describe('sluice serve loads optional libraries only when used', () => {
  let tmp: string;
  let echo: Upstream;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'sluice-lazy-'));
    echo = await startUpstream('echo');
  });
  after(async () => {
    await echo.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** `loads()`: ES modules and package entries; `requires()`: with those, every module loaded by `require` (a package's own requires, createRequire) */
  async function serve(name: string, cfg: ConfigDir, extra: string[] = []): Promise<{ sluice: SluiceProcess; loads: () => string; requires: () => string }> {
    const file = join(tmp, `${name}.log`);
    const required = join(tmp, `${name}.require.log`);
    const sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', ...extra], ['http', 'local', 'admin'], {
      nodeArgs: ['--import', recorder],
      env: { SLUICE_TEST_LOAD_LOG: file, SLUICE_TEST_REQUIRE_LOG: required },
    });
    const read = (f: string): string => (existsSync(f) ? readFileSync(f, 'utf8') : '');
    return { sluice, loads: () => read(file), requires: () => `${read(file)}${read(required)}` };
  }

  const site = (annotations?: Record<string, string>) =>
    ingress('api', [{ hosts: ['api.example.com'], paths: [{ splits: [{ service: 'echo' }] }] }], annotations ? { annotations } : {});

  it('serves a plain Knative configuration without gRPC, OpenTelemetry, jose, SigV4, protobufjs or ws', async () => {
    const cfg = await ConfigDir.create();
    await cfg.write('config.yaml', [site(), ...backend('echo', [{ ip: '127.0.0.1', port: echo.port }])]);
    const { sluice, loads, requires } = await serve('plain', cfg);
    try {
      assert.ok(await eventually(async () => (await get(sluice.addresses.http!, 'api.example.com')).status === 200, 10_000));
      assert.deepEqual(loadedHeavy(loads()), []);
      // With what CommonJS packages require, one known exception: prom-client's index requires its
      // default metrics, whose process CPU counter requires @opentelemetry/api (for exemplars, which
      // Sluice does not enable) on every import of prom-client. Anything else heavy fails here.
      assert.deepEqual(loadedHeavy(requires()), ['@opentelemetry/api']);
    } finally {
      await sluice.stop();
      await cfg.cleanup();
    }
  });

  // A cold start of 10,000 apps loads neither (about a tenth of a second of CPU): undici carries only
  // what the fast path does not, and the `yaml` package reads only files the fast readers decline
  // and finds the lines of errors.
  it('serves a plain Knative configuration through the fast path without undici or the yaml package, and loads yaml for a rejected document', async () => {
    const cfg = await ConfigDir.create();
    await cfg.write('config.yaml', [site(), ...backend('echo', [{ ip: '127.0.0.1', port: echo.port }])]);
    const { sluice, requires } = await serve('plain-startup', cfg);
    try {
      assert.ok(await eventually(async () => (await get(sluice.addresses.http!, 'api.example.com')).status === 200, 10_000));
      const loaded = packagesIn(requires());
      assert.ok(loaded.has('prom-client'), `the require log sees packages' own requires: ${[...loaded].join(' ')}`);
      assert.ok(!loaded.has('undici') && !loaded.has('yaml'), [...loaded].join(' '));
      // A document with a bad path: its error is reported with its line, which the yaml package finds.
      await cfg.write('bad.yaml', [ingress('bad', [{ hosts: ['bad.example.com'], paths: [{ path: 'no-slash', splits: [{ service: 'echo' }] }] }])]);
      assert.ok(await eventually(async () => packagesIn(requires()).has('yaml'), 10_000), 'yaml is loaded for the rejected document');
    } finally {
      await sluice.stop();
      await cfg.cleanup();
    }
  });

  it('loads jose when a reloaded configuration asks for JWT, and enforces it', async () => {
    const key = await testKey('k1');
    const cfg = await ConfigDir.create();
    await cfg.write('config.yaml', [site(), ...backend('echo', [{ ip: '127.0.0.1', port: echo.port }])]);
    const { sluice, loads } = await serve('jwt', cfg);
    try {
      assert.ok(await eventually(async () => (await get(sluice.addresses.http!, 'api.example.com')).status === 200, 10_000));
      assert.deepEqual(loadedHeavy(loads()), []);
      const provider = { name: 'idp', issuer: 'https://idp.example.com', audiences: ['api'], localJwks: jwks(key) };
      await cfg.write('config.yaml', [
        site({ 'sluice.dev/traffic-policy': 'jwt' }),
        trafficPolicy('jwt', { jwt: { providers: [provider] } }),
        ...backend('echo', [{ ip: '127.0.0.1', port: echo.port }]),
      ]);
      assert.ok(await eventually(async () => (await get(sluice.addresses.http!, 'api.example.com')).status === 401, 10_000), 'a request without a token is refused');
      const token = await key.sign({ iss: 'https://idp.example.com', aud: 'api', sub: 'alice' });
      assert.equal((await get(sluice.addresses.http!, 'api.example.com', '/', { authorization: `Bearer ${token}` })).status, 200);
      assert.ok(packagesIn(loads()).has('jose'));
    } finally {
      await sluice.stop();
      await cfg.cleanup();
    }
  });

  it('loads OpenTelemetry and gRPC with --tracing-otlp-endpoint, and gRPC with --xds', async () => {
    const cfg = await ConfigDir.create();
    await cfg.write('config.yaml', [site(), ...backend('echo', [{ ip: '127.0.0.1', port: echo.port }])]);
    const { sluice, loads } = await serve('otel-xds', cfg, ['--tracing-otlp-endpoint', 'http://127.0.0.1:1', '--xds', '127.0.0.1:0']);
    try {
      await sluice.waitForLog((e) => e.listener === 'xds' && e.msg === 'listening');
      assert.equal((await get(sluice.addresses.http!, 'api.example.com')).status, 200);
      const loaded = packagesIn(loads());
      assert.ok(loaded.has('@opentelemetry/api') && loaded.has('@grpc/grpc-js'), [...loaded].join(' '));
    } finally {
      await sluice.stop();
      await cfg.cleanup();
    }
  });
});
