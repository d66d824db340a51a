// bin/sluice.js runs the compiled dist/ whenever there is one, so a checkout built once and edited
// since would bench yesterday's code without a word: the bench refuses such a build instead.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Why `root`'s dist/ must not be benched (a source file is newer than the build), or undefined. */
export function staleBuild(root: string): string | undefined {
  const built = join(root, 'dist/cli/main.js');
  if (!existsSync(built)) return undefined;
  const builtAt = statSync(built).mtimeMs;
  const newer = newestSource(join(root, 'src'), builtAt);
  return newer === undefined ? undefined : `${root}/dist is older than ${newer}: run \`npm run build\` there, or remove dist/ to bench the sources`;
}

/** The first file under `dir` modified after `since`, if any. */
function newestSource(dir: string, since: number): string | undefined {
  if (!existsSync(dir)) return undefined;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      const found = newestSource(p, since);
      if (found !== undefined) return found;
    } else if (statSync(p).mtimeMs > since) return p;
  }
  return undefined;
}
