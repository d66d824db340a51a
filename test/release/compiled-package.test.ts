// The package as npm would install it: `scripts/build.mjs` compiles src/ into a temp package that
// holds package.json's `files` and node_modules without tsx (a development dependency), so every
// test here runs compiled JavaScript only: the CLI, the parse worker thread, and the README's
// library example compiled against the package's own type declarations.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { backend, ingress, toYaml } from '../support/config.ts';
import { get } from '../support/http.ts';
import { repoRoot } from '../support/sluice.ts';
import { startUpstream } from '../support/upstream.ts';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs node with `args` to completion (killed after `boundMs`). */
async function runNode(args: string[], opts: { cwd?: string; boundMs?: number } = {}): Promise<Run> {
  const child = spawn(process.execPath, args, { cwd: opts.cwd ?? tmp, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.boundMs ?? 60_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** node_modules of symlinks to the repository's, without tsx: what `npm install --omit=dev` leaves of it. */
function linkModules(into: string, without: readonly string[]): void {
  mkdirSync(into, { recursive: true });
  for (const name of readdirSync(join(repoRoot, 'node_modules'))) {
    if (name === '.bin' || without.includes(name)) continue;
    symlinkSync(join(repoRoot, 'node_modules', name), join(into, name));
  }
}

let tmp: string;
let pkg: string;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'sluice-release-'));
  pkg = join(tmp, 'sluice');
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { files: string[] };
  mkdirSync(pkg);
  cpSync(join(repoRoot, 'package.json'), join(pkg, 'package.json'));
  for (const entry of manifest.files) {
    if (entry.replace(/\/$/, '') === 'dist') continue;
    if (existsSync(join(repoRoot, entry))) cpSync(join(repoRoot, entry), join(pkg, entry), { recursive: true });
  }
  linkModules(join(pkg, 'node_modules'), ['tsx']);
  const build = await runNode([join(repoRoot, 'scripts/build.mjs'), '--out', join(pkg, 'dist')], { cwd: repoRoot, boundMs: 240_000 });
  assert.equal(build.code, 0, `build failed:\n${build.stdout}${build.stderr}`);
}, { timeout: 300_000 });

after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('the package has no tsx to fall back on', () => {
  assert.ok(!existsSync(join(pkg, 'node_modules/tsx')));
  assert.ok(!existsSync(join(pkg, 'src')));
});

test('sluice --version runs from the compiled package', async () => {
  const { code, stdout, stderr } = await runNode([join(pkg, 'bin/sluice.js'), '--version']);
  assert.equal(code, 0, stderr);
  const { version } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string };
  assert.match(stdout, new RegExp(`^sluice: ${version.replaceAll('.', '\\.')}\nnode: ${process.version} `));
});

test('sluice validate checks the packaged examples from compiled code', async () => {
  const { code, stdout, stderr } = await runNode([join(pkg, 'bin/sluice.js'), 'validate', 'examples/'], { cwd: pkg });
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^examples\/: \d+ valid resources, no errors\n$/m);
});

test('the compiled parse worker thread starts and answers without tsx', async () => {
  // The boot script as WorkerParser starts it; a worker that failed to load would be replaced by
  // parsing in the main thread without a word, so the worker is asked directly.
  const boot = join(pkg, 'dist/sources/parse-worker-boot.mjs');
  const file = join(pkg, 'examples/hello.yaml');
  const script = `
    import { Worker } from 'node:worker_threads';
    const w = new Worker(${JSON.stringify(boot)}, { workerData: { limits: { maxFileBytes: 1 << 20, maxDocuments: 100 } } });
    w.on('error', (err) => { console.error('worker failed: ' + err.message); process.exit(1); });
    w.once('message', (m) => { console.log('answered ' + m.type); process.exit(0); });
    w.postMessage({ type: 'parse', id: 1, jobs: [{ rel: 'hello.yaml', abs: ${JSON.stringify(file)}, size: ${readFileSync(file).length} }] });
  `;
  writeFileSync(join(tmp, 'start-worker.mjs'), script);
  const { code, stdout, stderr } = await runNode([join(tmp, 'start-worker.mjs')], { boundMs: 30_000 });
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^answered \w+/);
});

test('bin/sluice.js without a build or tsx says what to do, in one line', async () => {
  const bare = join(tmp, 'bare');
  mkdirSync(bare);
  cpSync(join(repoRoot, 'bin'), join(bare, 'bin'), { recursive: true });
  cpSync(join(repoRoot, 'package.json'), join(bare, 'package.json'));
  linkModules(join(bare, 'node_modules'), ['tsx']);
  const { code, stdout, stderr } = await runNode([join(bare, 'bin/sluice.js'), '--version']);
  assert.equal(code, 1);
  assert.equal(stdout, '');
  assert.match(stderr, /^sluice: no compiled build \(dist\/cli\/main\.js\) and tsx is not installed .*npm run build.*\n$/);
});

test('sluice serve from the compiled package proxies a route', async () => {
  const upstream = await startUpstream('hello');
  const config = mkdtempSync(join(tmp, 'serve-config-'));
  writeFileSync(join(config, 'hello.yaml'), toYaml([ingress('hello', [{ hosts: ['hello.example.com'], paths: [{ splits: [{ service: 'hello' }] }] }]), ...backend('hello', [{ ip: '127.0.0.1', port: upstream.port }])]));
  const listeners = ['--http', '--https', '--local', '--admin', '--health'].flatMap((flag) => [flag, '127.0.0.1:0']);
  const child = spawn(process.execPath, [join(pkg, 'bin/sluice.js'), 'serve', '--config', config, ...listeners, '--drain-delay', '0'], { cwd: pkg, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
  try {
    const deadline = Date.now() + 30_000;
    let http: string | undefined;
    while (!(http = /"listener":"http","address":"([^"]+)"/.exec(stdout)?.[1])) {
      assert.ok(Date.now() < deadline && child.exitCode === null, `sluice serve did not listen: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    let status = 0;
    while ((status = (await get(http, 'hello.example.com')).status) !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(status, 200, stderr);
    assert.equal(upstream.requests.length > 0, true);
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    clearTimeout(kill);
    await upstream.close();
  }
});

test("the README's library example compiles against the package's types and serves a request", async () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const example = /<!-- library-example -->\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(example, 'README.md has a ```ts block after <!-- library-example -->');
  const app = join(tmp, 'app');
  mkdirSync(join(app, 'node_modules/@types'), { recursive: true });
  symlinkSync(pkg, join(app, 'node_modules/sluice'));
  symlinkSync(join(repoRoot, 'node_modules/@types/node'), join(app, 'node_modules/@types/node'));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(join(app, 'example.ts'), example);
  // A consumer's strict settings, library checking included: the emitted .d.ts files must hold up.
  const tsconfig = { compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, types: ['node'], outDir: 'out' }, files: ['example.ts'] };
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(tsconfig));
  const tsc = await runNode([join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', app], { cwd: app, boundMs: 120_000 });
  assert.equal(tsc.code, 0, `the example does not compile:\n${tsc.stdout}${tsc.stderr}`);

  const upstream = await startUpstream('hello');
  const config = join(app, 'config');
  mkdirSync(config);
  writeFileSync(join(config, 'hello.yaml'), toYaml([ingress('hello', [{ hosts: ['hello.example.com'], paths: [{ splits: [{ service: 'hello' }] }] }]), ...backend('hello', [{ ip: '127.0.0.1', port: upstream.port }])]));
  try {
    const run = await runNode([join(app, 'out/example.js'), config], { cwd: app, boundMs: 30_000 });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /hello\.example\.com answered 200\n/);
    assert.equal(upstream.requests.length, 1);
  } finally {
    await upstream.close();
  }
});
