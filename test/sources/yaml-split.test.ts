// Reading a file document by document (yaml-split.ts, doc-reuse.ts) gives what a parse of the
// whole file gives: the same entries, origins, rejections and lines, on a table and a seeded fuzz.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DocCache } from '../../src/sources/doc-cache.ts';
import { DocReuse } from '../../src/sources/doc-reuse.ts';
import { defaultLimits, type FileRead } from '../../src/sources/read-file.ts';
import { parseConfigText } from '../../src/sources/yaml-docs.ts';
import { splitDocuments } from '../../src/sources/yaml-split.ts';
import { mulberry32 } from '../support/prng.ts';
import { tempDir } from './helpers.ts';
import { genFile, mutate } from './yaml-gen.ts';

const spans = (text: string) => splitDocuments(Buffer.from(text))?.map((s) => text.slice(s.start, s.end));

test('documents are split at `---` lines, with leading comments kept with the first', () => {
  assert.deepEqual(spans('a: 1\n---\nb: 2\n'), ['a: 1\n', '---\nb: 2\n']);
  assert.deepEqual(spans('# c\n\n---\na: 1\n--- # x\nb: 2'), ['# c\n\n---\na: 1\n', '--- # x\nb: 2']);
  assert.deepEqual(spans('x: |\n  ---\n  y\n---x: 1\n--- \n'), ['x: |\n  ---\n  y\n---x: 1\n', '--- \n']);
  assert.deepEqual(spans(''), ['']);
  // directives and document end markers: read whole
  assert.equal(spans('%YAML 1.2\n---\na: 1\n'), undefined);
  assert.equal(spans('a: 1\n...\n---\nb: 1\n'), undefined);
});

/** The file read document by document, twice (the second time with every document cached). */
function readSplit(dir: string, text: string): [FileRead, FileRead] {
  const abs = join(dir, 'f.yaml');
  writeFileSync(abs, text);
  const reuse = new DocReuse();
  const cache = new DocCache();
  const first = cache.take('f.yaml', reuse.read({ abs, rel: 'f.yaml', size: text.length }, defaultLimits));
  const known = cache.known('f.yaml');
  const again = cache.take('f.yaml', reuse.read({ abs, rel: 'f.yaml', size: text.length, ...(known !== undefined && { known }) }, defaultLimits));
  return [first, again];
}

/**
 * True when the whole file parses: then the two readings are the same. A file with a syntax error
 * fails either way (file-failure.ts); the reading by document may then differ, and be more exact:
 * after a broken document, the `yaml` package's line count of the whole file can be short by a
 * line or two, and an unclosed quote can run on over the next `---`.
 */
function agree(dir: string, text: string): boolean {
  const whole = parseConfigText(text.replace(/^\uFEFF/, ''), 'f.yaml');
  for (const read of readSplit(dir, text)) {
    assert.equal(read.kind, 'parsed', text);
    if (read.kind !== 'parsed') return false;
    if (whole.syntaxErrors !== undefined) assert.ok(read.parsed.syntaxErrors !== undefined, text);
    else assert.deepStrictEqual(read.parsed, whole, text);
  }
  return whole.syntaxErrors === undefined;
}

test('seeded fuzz: a file read document by document reads as the whole file does', () => {
  const { dir, cleanup } = tempDir();
  try {
    const rnd = mulberry32(18);
    let same = 0;
    for (let i = 0; i < 200; i++) if (agree(dir, genFile({ rnd, wild: false }))) same++;
    for (let i = 0; i < 300; i++) {
      const text = genFile({ rnd, wild: true });
      if (agree(dir, rnd() < 0.6 ? mutate(rnd, text) : text)) same++;
    }
    assert.ok(same > 200, `only ${same} files parsed without a syntax error`);
  } finally {
    cleanup();
  }
});
