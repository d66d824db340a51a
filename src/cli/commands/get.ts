// `sluice get KIND [NAME]`: a running gateway's objects as kubectl prints them (get-kinds.ts),
// read from its admin endpoint.
import { Command, Option } from 'commander';
import { SluiceError } from '../../errors.ts';
import { AdminClient, type AdminFlags, adminOptions } from '../admin-client.ts';
import { fetchView } from '../gateway-view.ts';
import { findKind, KINDS, type KindRow, type KindSpec } from '../get-kinds.ts';
import { formatObject } from '../output.ts';
import { clean, renderTable } from '../table.ts';

interface GetFlags extends AdminFlags {
  namespace: string;
  allNamespaces?: boolean;
  output?: 'json' | 'yaml' | 'wide';
}

export function getCommand(): Command {
  const cmd = new Command('get')
    .description(`list a running gateway's objects (kinds: ${KINDS.map((k) => k.names[0]).join(', ')})`)
    .argument('<kind>', 'what to list')
    .argument('[name]', 'only this one')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('-A, --all-namespaces', 'every namespace (adds a NAMESPACE column)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['json', 'yaml', 'wide']));
  for (const o of adminOptions()) cmd.addOption(o);
  return cmd.action(async (kindName: string, name: string | undefined, flags: GetFlags) => {
    const kind = kindOrFail(kindName);
    const view = await fetchView(new AdminClient(flags), kind.needs);
    const rows = selectRows(kind, kind.rows(view), flags, name);
    if (rows === undefined) {
      const where = kind.namespaced && !flags.allNamespaces ? ` in namespace ${flags.namespace}` : '';
      process.stderr.write(`sluice: ${kind.names[0]} "${clean(name ?? '')}" not found${where}\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(render(kind, rows, flags, name));
  });
}

export function kindOrFail(name: string): KindSpec {
  const kind = findKind(name);
  if (kind === undefined) throw new SluiceError('SLUICE_ERR_BAD_FLAG', `unknown kind "${name}": one of ${KINDS.map((k) => k.names[0]).join(', ')}`);
  return kind;
}

/** The rows in the namespace asked for (and of that name); undefined when a name matches none. */
function selectRows(kind: KindSpec, rows: KindRow[], flags: GetFlags, name: string | undefined): KindRow[] | undefined {
  const inNamespace = !kind.namespaced || flags.allNamespaces === true ? rows : rows.filter((r) => r.namespace === flags.namespace);
  const named = name === undefined ? inNamespace : inNamespace.filter((r) => r.name === name);
  return name !== undefined && named.length === 0 ? undefined : named;
}

function render(kind: KindSpec, rows: readonly KindRow[], flags: GetFlags, name: string | undefined): string {
  if (flags.output === 'json' || flags.output === 'yaml') {
    const objects = rows.map((r) => r.object);
    return formatObject(name !== undefined && objects.length === 1 ? objects[0] : { kind: 'List', items: objects }, flags.output);
  }
  if (rows.length === 0) {
    // kubectl's words, on stderr, so a script reading stdout sees an empty list.
    process.stderr.write(kind.namespaced && !flags.allNamespaces ? `No resources found in ${flags.namespace} namespace.\n` : 'No resources found\n');
    return '';
  }
  const wide = flags.output === 'wide';
  const all = kind.namespaced && flags.allNamespaces === true;
  const headers = [...(all ? ['NAMESPACE'] : []), 'NAME', ...kind.headers, ...(wide ? kind.wide : [])];
  const body = rows.map((r) => [...(all ? [r.namespace] : []), r.name, ...r.cells, ...(wide ? r.wide : [])]);
  return renderTable(headers, body);
}
