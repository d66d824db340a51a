// scripts/run-tests.mjs compiles src/ once and names the build in $SLUICE_TEST_CLI, and the tests'
// `sluice` children start that build; a test file run on its own (no variable) starts the sources
// through tsx. Both ways, a child answers --version and serves (fixtures/sluice-command-child.test.ts).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from './sluice.ts';

const FIXTURE = join('test', 'support', 'fixtures', 'sluice-command-child.test.ts');

/** Runs node with `args` in the repository, without this runner's variables; resolves with its exit code and stdout. */
async function node(args: string[]): Promise<{ code: number | null; out: string }> {
  const env = { ...process.env };
  for (const name of ['NODE_TEST_CONTEXT', 'SLUICE_TEST_CLI', 'SLUICE_TEST_TIMINGS', 'SLUICE_TEST_CONCURRENCY']) delete env[name];
  const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (err += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  assert.equal(code, 0, `${args.join(' ')} exited with ${code}:\n${out}\n${err}`);
  return { code, out };
}

/** The argv the fixture's serving child was started with. */
function servedWith(out: string): string[] {
  const m = /cli-argv: (\[.*\])/.exec(out);
  assert.ok(m, `the fixture printed no cli-argv line:\n${out}`);
  return JSON.parse(m[1]!) as string[];
}

describe('how tests start the sluice CLI', () => {
  it('the runner compiles src/ once, its files start that build, and it removes the build at the end', async () => {
    const { out } = await node([join('scripts', 'run-tests.mjs'), FIXTURE]);
    const argv = servedWith(out);
    const main = argv.find((a) => /sluice-test-cli-[^/]+\/dist\/cli\/main\.js$/.test(a));
    assert.ok(main, `a compiled main.js: ${argv.join(' ')}`);
    assert.ok(argv.includes('--enable-source-maps') && !argv.includes('tsx'), argv.join(' '));
    assert.equal(existsSync(main), false, 'the build is removed when the runner ends');
  });

  it('a file run on its own starts the sources through tsx', async () => {
    const { out } = await node(['--import', 'tsx', '--test', FIXTURE]);
    const argv = servedWith(out);
    assert.deepEqual(argv.slice(1, 4), ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts')]);
  });
});
