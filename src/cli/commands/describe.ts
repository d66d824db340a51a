// `sluice describe KIND NAME`: one object of a running gateway in full (describe.ts).
import { Command } from 'commander';
import { SluiceError } from '../../errors.ts';
import { AdminClient, type AdminFlags, adminOptions } from '../admin-client.ts';
import { DESCRIBABLE, type DescribableKind, describe } from '../describe.ts';
import { fetchView } from '../gateway-view.ts';
import { findKind, KINDS } from '../get-kinds.ts';
import { clean } from '../table.ts';

interface DescribeFlags extends AdminFlags {
  namespace: string;
}

const describable = (kind: string): kind is DescribableKind => (DESCRIBABLE as readonly string[]).includes(kind);
const kindNames = (): string => KINDS.filter((k) => describable(k.kind)).map((k) => k.names[1]).join(', ');

export function describeCommand(): Command {
  const cmd = new Command('describe')
    .description(`show one object of a running gateway: conditions, routes, splits, endpoints, errors (kinds: ${kindNames()})`)
    .argument('<kind>', 'its kind')
    .argument('<name>', 'its name')
    .option('-n, --namespace <ns>', 'namespace', 'default');
  for (const o of adminOptions()) cmd.addOption(o);
  return cmd.action(async (kindName: string, name: string, flags: DescribeFlags) => {
    const kind = findKind(kindName)?.kind;
    if (kind === undefined || !describable(kind)) throw new SluiceError('SLUICE_ERR_BAD_FLAG', `describe: unknown kind "${kindName}": one of ${kindNames()}`);
    const text = describe(await fetchView(new AdminClient(flags)), kind, flags.namespace, name);
    if (text === undefined) {
      process.stderr.write(`sluice: ${kind} "${clean(name)}" not found${kind === 'GatewayClass' ? '' : ` in namespace ${flags.namespace}`}\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(text);
  });
}
