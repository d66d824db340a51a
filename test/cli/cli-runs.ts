// Runs several `sluice` commands against one gateway, a few at a time (each is a Node process
// loading the CLI: running them one after another would take most of a test's time).
import { runSluice } from '../support/sluice.ts';

export type Run = Awaited<ReturnType<typeof runSluice>>;

export async function runAll(commands: Record<string, string[]>, opts: { env?: NodeJS.ProcessEnv; parallel?: number } = {}): Promise<Record<string, Run>> {
  const entries = Object.entries(commands);
  const out: Record<string, Run> = {};
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const [key, args] = entries[next++]!;
      out[key] = await runSluice(args, { env: opts.env ?? {}, boundMs: 90_000 });
    }
  };
  await Promise.all(Array.from({ length: opts.parallel ?? 3 }, worker));
  return out;
}
