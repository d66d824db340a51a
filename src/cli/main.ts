// The `sluice` command line: assembles the commands of src/cli/commands/ and turns a SluiceError
// into one line on stderr and an exit code.
// First: V8 settings that must precede any allocation of the gateway's own (v8-flags.ts).
import './v8-flags.ts';
import { Command } from 'commander';
import { SluiceError } from '../errors.ts';
import { checkCommand } from './commands/check.ts';
import { configCommand } from './commands/config.ts';
import { describeCommand } from './commands/describe.ts';
import { getCommand } from './commands/get.ts';
import { versionCommand } from './commands/version.ts';
import { formatVersion, versionInfo } from '../version.ts';

const program = new Command('sluice')
  .description('Knative-compatible ingress and API gateway')
  .showHelpAfterError(false)
  // --version prints what `sluice version` does: the supported Knative and Gateway API versions matter as much as ours.
  .version(formatVersion(versionInfo()).trimEnd(), '-V, --version', 'print the versions (as `sluice version`)')
  .configureOutput({ outputError: (str, write) => write(`sluice: ${str.replace(/^error: /, '')}`) });

/** addCommand, unlike command(), copies no settings: every (sub)command gets the program's, so all report errors alike. */
function inheritSettings(parent: Command, command: Command): void {
  command.copyInheritedSettings(parent);
  for (const sub of command.commands) inheritSettings(command, sub);
}

/** Every command, in --help's order, each imported on use: `sluice serve` loads none of the others' modules (`envoy` brings protobuf's xDS descriptors, `get` needs none of the gateway). */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  serve: async () => (await import('./commands/serve.ts')).serveCommand(),
  validate: async () => (await import('./commands/validate.ts')).validateCommand(),
  demo: async () => (await import('./commands/demo.ts')).demoCommand(),
  envoy: async () => (await import('./commands/envoy.ts')).envoyCommand(),
  install: async () => (await import('./commands/install.ts')).installCommand(),
  uninstall: async () => (await import('./commands/uninstall.ts')).uninstallCommand(),
  get: async () => getCommand(),
  describe: async () => describeCommand(),
  check: async () => checkCommand(),
  config: async () => configCommand(),
  version: async () => versionCommand(),
};

// A known command loads alone; anything else (--help, a typo) loads them all, for help and suggestions.
const named = Object.hasOwn(COMMANDS, process.argv[2] ?? '') ? COMMANDS[process.argv[2]!] : undefined;
for (const command of await Promise.all(named ? [named()] : Object.values(COMMANDS).map((make) => make()))) {
  program.addCommand(command);
  inheritSettings(program, command);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof SluiceError) {
    process.stderr.write(`sluice: ${err.message}\n`);
    process.exit(err.code === 'SLUICE_ERR_BAD_FLAG' ? 2 : 1);
  }
  throw err;
}
