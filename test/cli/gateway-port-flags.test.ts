// --gateway-address and --port-offset reach the translator as TranslateOptions.gatewayAddress and
// portOffset; bad values end `serve` and `validate` with one line naming the flag.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { serveDefaults, translateOptionsFromFlags } from '../../src/cli/serve.ts';
import { defaultTranslateOptions } from '../../src/translate/options.ts';
import { runSluice } from '../support/sluice.ts';

test('the defaults are 0.0.0.0 and no offset, in the flags and in defaultTranslateOptions', () => {
  const t = translateOptionsFromFlags(serveDefaults, false);
  assert.equal(t.gatewayAddress, '0.0.0.0');
  assert.equal(t.portOffset, 0);
  assert.equal(defaultTranslateOptions.gatewayAddress, '0.0.0.0');
  assert.equal(defaultTranslateOptions.portOffset, 0);
});

test('--gateway-address takes an IPv4 or IPv6 address, --port-offset a whole number 0..65535', () => {
  const t = translateOptionsFromFlags({ ...serveDefaults, gatewayAddress: '127.0.0.1', portOffset: '10000' }, false);
  assert.equal(t.gatewayAddress, '127.0.0.1');
  assert.equal(t.portOffset, 10000);
  assert.equal(translateOptionsFromFlags({ ...serveDefaults, gatewayAddress: '[::1]' }, false).gatewayAddress, '::1');
  assert.equal(translateOptionsFromFlags({ ...serveDefaults, portOffset: '65535' }, false).portOffset, 65535);
  for (const bad of ['-1', '65536', '1.5', 'ten', '']) {
    assert.throws(() => translateOptionsFromFlags({ ...serveDefaults, portOffset: bad }, false), { code: 'SLUICE_ERR_BAD_FLAG', message: /--port-offset/ }, bad);
  }
  for (const bad of ['gateway.example.com', '0.0.0.0:80', '', '300.1.1.1']) {
    assert.throws(() => translateOptionsFromFlags({ ...serveDefaults, gatewayAddress: bad }, false), { code: 'SLUICE_ERR_BAD_FLAG', message: /--gateway-address/ }, bad);
  }
});

test('serve and validate refuse a bad --port-offset with one line, no stack trace', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-port-flags-'));
  try {
    for (const args of [['serve', '--config', dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--port-offset', '70000'], ['validate', dir, '--port-offset', '70000']]) {
      const r = await runSluice(args, { boundMs: 20_000 });
      assert.notEqual(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stderr, /--port-offset: "70000"/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
    const ok = await runSluice(['validate', dir, '--gateway-address', '127.0.0.1', '--port-offset', '1000']);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
