// `sluice demo`: its flags; runDemo (src/cli/demo.ts, loaded on use) starts the demo.
import { Command } from 'commander';
import type { DemoFlags } from '../demo.ts';
import { serveDefaults } from '../serve-flags.ts';

export function demoCommand(): Command {
  return new Command('demo')
    .description('start two demo revisions and a WebSocket echo, and serve examples/ (90/10 split, TLS with a self-signed certificate)')
    .option('--http <addr>', 'external listener', serveDefaults.http)
    .option('--https <addr>', 'external TLS listener', serveDefaults.https)
    .option('--local <addr>', 'cluster-local listener', serveDefaults.local)
    .option('--admin <addr>', 'admin endpoint', serveDefaults.admin)
    .option('--admin-token-file <file>', 'bearer token the admin endpoint requires (needed for a non-loopback --admin)')
    .option('--admin-insecure', 'serve a non-loopback --admin without a token')
    .action(async (opts: DemoFlags) => {
      const { runDemo } = await import('../demo.ts');
      await runDemo(opts);
    });
}
