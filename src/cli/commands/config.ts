// `sluice config dump`: a running gateway's configuration as Envoy's admin /config_dump shows one
// (the admin endpoint's /config_dump: listeners, routes, clusters, endpoints, secrets redacted).
// `config` is the command (commands.test.ts: one module per command); `dump` its only subcommand.
import { Command, Option } from 'commander';
import { AdminClient, type AdminFlags, adminOptions } from '../admin-client.ts';
import { formatObject } from '../output.ts';

interface DumpFlags extends AdminFlags {
  output: 'json' | 'yaml';
  resource?: keyof typeof DUMP_TYPES;
}

/** `--resource` -> the config dump message that holds that kind. */
const DUMP_TYPES = {
  listeners: 'ListenersConfigDump',
  routes: 'RoutesConfigDump',
  clusters: 'ClustersConfigDump',
  endpoints: 'EndpointsConfigDump',
  secrets: 'SecretsConfigDump',
} as const;

export function configCommand(): Command {
  const dump = new Command('dump')
    .description("print a running gateway's configuration as Envoy's /config_dump (listeners, routes, clusters, endpoints; keys redacted)")
    .addOption(new Option('-o, --output <format>', 'output format').choices(['json', 'yaml']).default('json'))
    .addOption(new Option('--resource <kind>', 'only this part').choices(Object.keys(DUMP_TYPES)));
  for (const o of adminOptions()) dump.addOption(o);
  dump.action(async (flags: DumpFlags) => {
    const all = await new AdminClient(flags).json<{ configs: { '@type': string }[] }>('/config_dump');
    const type = flags.resource && DUMP_TYPES[flags.resource];
    const configs = type ? all.configs.filter((c) => c['@type'].endsWith(`.${type}`)) : all.configs;
    process.stdout.write(formatObject({ configs }, flags.output));
  });
  return new Command('config').description("a running gateway's configuration").addCommand(dump);
}
