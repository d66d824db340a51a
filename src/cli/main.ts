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

/** The commands that read a running gateway's admin endpoint: they need none of the gateway's own modules. */
const INSPECTION: Readonly<Record<string, () => Command>> = { get: getCommand, describe: describeCommand, check: checkCommand, config: configCommand };

/** Every command, in --help's order; the gateway's are imported here, so `sluice get` does not load them (a third of its start-up). */
async function allCommands(): Promise<Command[]> {
  const [serve, validate, demo, envoy, install, uninstall] = await Promise.all([
    import('./commands/serve.ts'),
    import('./commands/validate.ts'),
    import('./commands/demo.ts'),
    import('./commands/envoy.ts'),
    import('./commands/install.ts'),
    import('./commands/uninstall.ts'),
  ]);
  const gateway = [serve.serveCommand(), validate.validateCommand(), demo.demoCommand(), envoy.envoyCommand(), install.installCommand(), uninstall.uninstallCommand()];
  return [...gateway, ...Object.values(INSPECTION).map((make) => make()), versionCommand()];
}

const inspecting = INSPECTION[process.argv[2] ?? ''];
for (const command of inspecting ? [inspecting()] : await allCommands()) {
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
