// `sluice check`: exits 1 listing every problem of a running gateway (check-problems.ts), or when
// its admin endpoint cannot be reached; 0 with a one-line summary when there is none.
import { Command } from 'commander';
import { AdminClient, type AdminFlags, adminOptions } from '../admin-client.ts';
import { checkGateway } from '../check-problems.ts';
import { fetchView } from '../gateway-view.ts';
import { clean } from '../table.ts';

export function checkCommand(): Command {
  const cmd = new Command('check').description("check a running gateway: exit 1 listing anything rejected, not Ready or Accepted, or without endpoints");
  for (const o of adminOptions()) cmd.addOption(o);
  return cmd.action(async (flags: AdminFlags) => {
    const view = await fetchView(new AdminClient(flags));
    const result = checkGateway(view);
    const lines: string[] = [];
    if (result.warnings.length > 0) lines.push(`Warnings (${result.warnings.length}):`, ...result.warnings.map((w) => `  ${clean(w)}`));
    if (result.problems.length > 0) {
      lines.push(`Problems (${result.problems.length}):`, ...result.problems.map((p) => `  ${clean(p)}`));
      process.exitCode = 1;
    } else {
      const counts = Object.entries(result.counts).map(([what, n]) => `${what} ${n}`).join(', ');
      lines.push(`No problems: configuration version ${view.status.version} served; checked ${counts}.`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  });
}
