// `sluice version` (and `sluice --version`, see main.ts): Sluice's version, the Node it runs on,
// and the Knative Serving and Gateway API versions it supports; `-o json` for scripts.
import { Command, Option } from 'commander';
import { formatVersion, versionInfo } from '../../version.ts';

export function versionCommand(): Command {
  return new Command('version')
    .description('print the versions of Sluice, Node, and the Knative Serving and Gateway API releases it supports')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((opts: { output: 'text' | 'json' }) => {
      const info = versionInfo();
      process.stdout.write(opts.output === 'json' ? `${JSON.stringify(info, null, 2)}\n` : formatVersion(info));
    });
}
