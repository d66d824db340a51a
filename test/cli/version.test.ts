// `sluice version` and `sluice --version`: Sluice's version from package.json, the Node it runs on,
// and the Knative Serving and Gateway API versions it supports.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { repoRoot, runSluice } from '../support/sluice.ts';

const pkgVersion = (JSON.parse(readFileSync(`${repoRoot}/package.json`, 'utf8')) as { version: string }).version;

function assertVersionText(stdout: string): void {
  const lines = stdout.trimEnd().split('\n');
  assert.deepEqual(lines.map((l) => l.split(':')[0]), ['sluice', 'node', 'knative serving', 'gateway api']);
  assert.equal(lines[0], `sluice: ${pkgVersion}`);
  assert.ok(lines[1]!.startsWith(`node: ${process.version} (supported: >=`), lines[1]);
  assert.match(lines[2]!, /^knative serving: v1\.\d+ - v1\.\d+$/);
  assert.equal(lines[3], 'gateway api: v1.6.1');
}

test('sluice version prints the Sluice, Node, Knative Serving and Gateway API versions', async () => {
  const { code, stdout, stderr } = await runSluice(['version']);
  assert.equal(code, 0, stderr);
  assertVersionText(stdout);
});

test('sluice --version and -V print the same as sluice version', async () => {
  for (const flag of ['--version', '-V']) {
    const { code, stdout, stderr } = await runSluice([flag]);
    assert.equal(code, 0, stderr);
    assertVersionText(stdout);
  }
});

test('sluice version -o json prints the same versions as one JSON object', async () => {
  const { code, stdout } = await runSluice(['version', '-o', 'json']);
  assert.equal(code, 0);
  const info = JSON.parse(stdout) as Record<string, string>;
  assert.equal(info.sluice, pkgVersion);
  assert.equal(info.node, process.version);
  assert.equal(info.gatewayApi, 'v1.6.1');
  assert.match(info.knativeServing!, /^v1\.\d+ - v1\.\d+$/);
});

test('sluice version -o with an unknown format is a usage error', async () => {
  const { code, stdout, stderr } = await runSluice(['version', '-o', 'xml']);
  assert.notEqual(code, 0);
  assert.equal(stdout, '');
  assert.match(stderr, /^sluice: option '-o, --output <format>' argument 'xml' is invalid/);
});
