// Reading a file document by document (yaml-split.ts, doc-reuse.ts) gives what a parse of the
// whole file gives: the same entries, origins, rejections and lines, on a table and a seeded fuzz.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DocCache } from '../../src/sources/doc-cache.ts';
import { DocReuse } from '../../src/sources/doc-reuse.ts';
import { defaultLimits, parsedDocuments, type FileRead } from '../../src/sources/read-file.ts';
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

/** A reader and its consumer's cache; `bytes`: files read again by a walk (doc-walk.ts), not whole. */
function reader(dir: string, bytes: boolean): { read(text: string): FileRead; parsed: () => number; last: () => FileRead | undefined } {
  const abs = join(dir, 'f.yaml');
  const reuse = new DocReuse(1, { walkFrom: bytes ? 0 : Infinity });
  const cache = new DocCache();
  let parsed = 0;
  let last: FileRead | undefined;
  return {
    read(text) {
      writeFileSync(abs, text);
      const held = cache.held('f.yaml');
      const read = reuse.read({ abs, rel: 'f.yaml', size: Buffer.byteLength(text), ...(held !== undefined && { held }) }, defaultLimits);
      if (read.kind === 'parsed') parsed = read.docs === undefined ? -1 : parsedDocuments(read.docs);
      last = read;
      return cache.take('f.yaml', read);
    },
    parsed: () => parsed,
    last: () => last,
  };
}

/** The file read document by document, twice (the second time with every document cached), remembered both ways. */
function readSplit(dir: string, text: string): FileRead[] {
  return [true, false].flatMap((bytes) => {
    const r = reader(dir, bytes);
    return [r.read(text), r.read(text)];
  });
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

const doc = (i: number, port = 80): string => `---\napiVersion: v1\nkind: Service\nmetadata: {name: s-${i}, namespace: default}\nspec: {ports: [{port: ${port}}]}\n`;

for (const bytes of [true, false]) {
  test(`edits read by document (${bytes ? 'walked' : 'read whole'}): only changed documents are parsed, and the file reads as a whole parse does`, () => {
    const { dir, cleanup } = tempDir();
    try {
      const r = reader(dir, bytes);
      let docs = Array.from({ length: 200 }, (_, i) => doc(i));
      const check = (parsed: number, what: string) => {
        const text = docs.join('');
        const read = r.read(text);
        assert.equal(read.kind, 'parsed', what);
        if (read.kind === 'parsed') assert.deepStrictEqual(read.parsed, parseConfigText(text, 'f.yaml'), what);
        assert.equal(r.parsed(), parsed, what);
      };
      check(200, 'cold');
      check(0, 'unchanged');
      docs[100] = doc(100, 81);
      check(1, 'one edited');
      docs[0] = doc(0, 82);
      docs[199] = doc(199, 83);
      check(2, 'first and last edited');
      docs.splice(50, 0, doc(1000));
      check(1, 'one inserted');
      docs.splice(10, 3);
      check(0, 'three removed');
      docs = [...docs.slice(120), ...docs.slice(0, 120)];
      check(0, 'reordered');
      docs[5] = doc(5, 99999);
      check(1, 'a rejected document');
      docs[6] = doc(6, 84);
      check(2, 'a rejected document is parsed again, for its lines');
      docs.push('---\n');
      check(2, 'an empty document appended (and the rejected one)');
      docs = ['# leading comment\n', ...docs];
      check(2, 'a comment before the first document (and the rejected one)');
    } finally {
      cleanup();
    }
  });
}

for (const bytes of [true, false]) {
  test(`an edit's reading names the unchanged documents as runs, not one by one (${bytes ? 'walked' : 'read whole'}), so what crosses from the worker stays small`, () => {
    const { dir, cleanup } = tempDir();
    try {
      const r = reader(dir, bytes);
      const docs = Array.from({ length: 5000 }, (_, i) => doc(i));
      r.read(docs.join(''));
      docs[2500] = doc(2500, 81);
      r.read(docs.join(''));
      const edited = r.last();
      assert.ok(edited?.kind === 'parsed' && edited.docs !== undefined);
      // [at, from, length] twice: the documents before the edit and those after it.
      assert.deepEqual(edited.docs.reused, [0, 0, 2500, 2501, 2501, 2499]);
      assert.equal(edited.docs.count, 5000);
      // One document inserted: the documents after it are the old ones, one place further down.
      docs.splice(100, 0, doc(9000));
      r.read(docs.join(''));
      const inserted = r.last();
      assert.ok(inserted?.kind === 'parsed' && inserted.docs !== undefined);
      assert.deepEqual(inserted.docs.reused, [0, 0, 100, 101, 100, 4900]);
      assert.equal(r.parsed(), 1);
    } finally {
      cleanup();
    }
  });
}

test('a file read again by walks: grown, shrunk, a byte order mark added and removed, emptied and refilled', () => {
  const { dir, cleanup } = tempDir();
  try {
    const r = reader(dir, true);
    let docs = Array.from({ length: 50 }, (_, i) => doc(i));
    const check = (text: string, parsed: number, what: string) => {
      const read = r.read(text);
      assert.equal(read.kind, 'parsed', what);
      if (read.kind === 'parsed') assert.deepStrictEqual(read.parsed, parseConfigText(text.replace(/^\uFEFF/, ''), 'f.yaml'), what);
      assert.equal(r.parsed(), parsed, what);
    };
    check(docs.join(''), 50, 'cold');
    // Twice as long.
    docs = [...docs, ...Array.from({ length: 50 }, (_, i) => doc(100 + i))];
    check(docs.join(''), 50, 'grown');
    docs[99] = doc(149, 81);
    check(docs.join(''), 1, 'the last document edited after growing');
    docs = docs.slice(0, 10);
    check(docs.join(''), 0, 'shrunk to its first ten documents');
    docs[0] = doc(0, 82);
    check(`\uFEFF${docs.join('')}`, 1, 'a byte order mark added (the documents moved, found by their fingerprints: only the edited one parsed)');
    check(`\uFEFF${docs.join('')}`, 0, 'unchanged with the mark');
    check(docs.join(''), 0, 'the mark removed');
    check('', 0, 'emptied (no document left)');
    check(docs.join(''), 10, 'refilled');
    docs[9] = doc(9, 83);
    check(docs.join(''), 1, 'the last document edited');
  } finally {
    cleanup();
  }
});
