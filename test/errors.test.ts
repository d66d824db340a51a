// The error codes of src/errors.ts are the README's: every code is thrown somewhere in src/, and the
// README's Errors table lists exactly these codes with these meanings.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES, type ErrorCode } from '../src/errors.ts';

const root = fileURLToPath(new URL('../', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** `| \`CODE\` | meaning |` rows of the README's "## Errors" section, in order. */
function readmeErrorRows(): Array<[string, string]> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.split(/^## Errors$/m)[1]?.split(/^## /m)[0];
  assert.ok(section, 'README.md has a "## Errors" section');
  return [...section.matchAll(/^\| `([A-Z_]+)` \| (.*?) \|$/gm)].map((m) => [m[1]!, m[2]!]);
}

test('every error code in src/errors.ts is used somewhere in src/', () => {
  const errorsTs = join(root, 'src', 'errors.ts');
  const text = sourceFiles(join(root, 'src'))
    .filter((f) => f !== errorsTs)
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  const unused = Object.keys(ERROR_CODES).filter((code) => !text.includes(`'${code}'`));
  assert.deepEqual(unused, [], `codes no file under src/ uses (use them or remove them from src/errors.ts and README.md): ${unused.join(', ')}`);
});

test("the README's Errors table lists exactly the codes of src/errors.ts with their meanings", () => {
  const readme = new Map(readmeErrorRows());
  const problems: string[] = [];
  for (const [code, meaning] of Object.entries(ERROR_CODES) as Array<[ErrorCode, string]>) {
    const documented = readme.get(code);
    if (documented === undefined) problems.push(`+ ${code}: in src/errors.ts, missing from README.md`);
    else if (documented !== meaning) problems.push(`~ ${code}: src/errors.ts says "${meaning}", README.md says "${documented}"`);
  }
  for (const code of readme.keys()) if (!(code in ERROR_CODES)) problems.push(`- ${code}: in README.md, not in src/errors.ts`);
  assert.deepEqual(problems, [], `README.md "## Errors" and src/errors.ts differ:\n${problems.join('\n')}`);
});
