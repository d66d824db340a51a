// The `sluice` command line: assembles the commands of src/cli/commands/ and turns a SluiceError
// into one line on stderr and an exit code.
// First: V8 settings that must precede any allocation of the gateway's own (v8-flags.ts).
import './v8-flags.ts';
import { Command } from 'commander';
import { SluiceError } from '../errors.ts';
import { checkCommand } from './commands/check.ts';
import { configCommand } from './commands/config.ts';
import { demoCommand } from './commands/demo.ts';
import { describeCommand } from './commands/describe.ts';
import { envoyCommand } from './commands/envoy.ts';
import { getCommand } from './commands/get.ts';
import { installCommand } from './commands/install.ts';
import { uninstallCommand } from './commands/uninstall.ts';
import { serveCommand } from './commands/serve.ts';
import { validateCommand } from './commands/validate.ts';
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

for (const command of [serveCommand(), validateCommand(), demoCommand(), envoyCommand(), installCommand(), uninstallCommand(), getCommand(), describeCommand(), checkCommand(), configCommand(), versionCommand()]) {
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
