import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { runValidate, validateDir } from '../../src/cli/commands/validate.ts';
import { SluiceError } from '../../src/errors.ts';
import { assertInvalidFixtureErrors } from '../fixtures/input/invalid-errors.ts';

const fixtures = new URL('../fixtures/input/', import.meta.url).pathname;

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

// The valid fixture's Secret holds a placeholder, not a certificate: `serve` would mark the ingress
// InvalidSecret, and so `validate` warns about it.
const PLACEHOLDER_CERT = /^ingress\.yaml:10: Ingress demo\/hello: spec\.tls\[0\]: InvalidSecret: Secret "demo\/hello-cert" has an unreadable certificate or key: /;

test('validateDir: a directory without errors; what serve would report in status is a warning', async () => {
  const report = await validateDir(join(fixtures, 'valid'));
  assert.deepEqual({ ...report, warnings: [] }, { errors: [], warnings: [], resources: 6 });
  assert.equal(report.warnings.length, 1);
  assert.match(report.warnings[0] ?? '', PLACEHOLDER_CERT);
});

test('validateDir: lists every error and unknown kinds as warnings', async () => {
  const report = await validateDir(join(fixtures, 'invalid'));
  assert.equal(report.resources, 1);
  assert.equal(report.errors.length, 6);
  assert.equal(report.errors[0], 'a.yaml:16: Ingress default/broken: spec.rules[0].http.paths[0].splits: percents must total 100, got 50');
  assert.deepEqual(report.warnings, ['e.yaml:1: ignoring v1 Pod: not a kind Sluice reads']);
});

test('validateDir: a missing directory is a SLUICE_ERR_CONFIG_DIR error', async () => {
  await assert.rejects(validateDir(join(fixtures, 'no-such-dir')), (e: unknown) => e instanceof SluiceError && e.code === 'SLUICE_ERR_CONFIG_DIR');
});

test('runValidate: exit 0 without errors, warnings then a one-line summary', async () => {
  const out = capture();
  const err = capture();
  const dir = join(fixtures, 'valid');
  assert.equal(await runValidate(dir, out.stream, err.stream), 0);
  const lines = out.text().trimEnd().split('\n');
  assert.match((lines[0] ?? '').replace(/^warning: /, ''), PLACEHOLDER_CERT);
  assert.deepEqual(lines.slice(1), [`${dir}: 6 valid resources, no errors, 1 warning`]);
  assert.equal(err.text(), '');
});

test('runValidate: exit 1 with one line per error, then warnings and a summary', async () => {
  const out = capture();
  const err = capture();
  const dir = join(fixtures, 'invalid');
  assert.equal(await runValidate(dir, out.stream, err.stream), 1);
  const lines = out.text().trimEnd().split('\n');
  assert.equal(lines.length, 8);
  assertInvalidFixtureErrors(lines);
  assert.equal(lines[6], 'warning: e.yaml:1: ignoring v1 Pod: not a kind Sluice reads');
  assert.equal(lines[7], `${dir}: 1 valid resource, 6 errors, 1 warning`);
});

test('runValidate: a missing directory is one clear line on stderr and exit 1', async () => {
  const out = capture();
  const err = capture();
  const dir = join(fixtures, 'no-such-dir');
  assert.equal(await runValidate(dir, out.stream, err.stream), 1);
  assert.equal(out.text(), '');
  assert.equal(err.text(), `sluice validate: config directory ${dir} does not exist\n`);
});

test('runValidate: List items are addressed by item, and an empty directory warns', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-validate-'));
  try {
    let out = capture();
    assert.equal(await runValidate(dir, out.stream, capture().stream), 0);
    assert.equal(out.text(), `warning: ${dir}: no .yaml, .yml or .json files found\n${dir}: 0 valid resources, no errors, 1 warning\n`);
    writeFileSync(join(dir, 'l.yaml'), 'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Endpoints, metadata: {name: e}}\n- {apiVersion: v1, kind: Endpoints, metadata: {name: e}}\n');
    out = capture();
    assert.equal(await runValidate(dir, out.stream, capture().stream), 1);
    assert.equal(out.text().split('\n')[0], 'l.yaml:5: Endpoints default/e: items[1].metadata.name: duplicate Endpoints default/e: already defined in l.yaml#0 items[0]');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
