// The CLI's commands are registered one way: each is a module under src/cli/commands/ exporting
// `<name>Command(): Command`, and main.ts only assembles them, so every command (and subcommand)
// reports usage errors the same way.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from 'commander';
import { runSluice } from '../support/sluice.ts';

const COMMANDS = ['serve', 'validate', 'demo', 'envoy', 'install', 'uninstall', 'get', 'describe', 'check', 'config', 'version'] as const;

test('each command is a module under src/cli/commands/ exporting <name>Command(): Command', async () => {
  for (const name of COMMANDS) {
    const mod = (await import(`../../src/cli/commands/${name}.ts`)) as Record<string, unknown>;
    const factory = mod[`${name}Command`];
    assert.equal(typeof factory, 'function', `src/cli/commands/${name}.ts exports ${name}Command`);
    const command = (factory as () => unknown)();
    assert.ok(command instanceof Command, `${name}Command() returns a Command`);
    assert.equal(command.name(), name);
  }
});

test('sluice --help lists exactly the command modules (and help)', async () => {
  const { code, stdout } = await runSluice(['--help']);
  assert.equal(code, 0);
  const listed = [...stdout.split('Commands:')[1]!.matchAll(/^ {2}(\w+)/gm)].map((m) => m[1]);
  assert.deepEqual(listed, [...COMMANDS, 'help']);
});

test('every command and subcommand reports a usage error as one "sluice: " line', async () => {
  for (const args of [['serve', '--bogus'], ['install', '--bogus'], ['install', 'knative', '--bogus'], ['install', 'gateway-api', '--bogus'], ['uninstall', 'gateway-api', '--bogus'], ['envoy', 'bootstrap', '--bogus'], ['get', 'routes', '--bogus'], ['config', 'dump', '--bogus'], ['check', '--bogus'], ['validate']]) {
    const { code, stderr } = await runSluice(args, { boundMs: 20_000 });
    assert.notEqual(code, 0, args.join(' '));
    assert.match(stderr, /^sluice: (unknown option '--bogus'|missing required argument 'path')\n$/, args.join(' '));
  }
});
