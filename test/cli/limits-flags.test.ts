// The listener-limit flags of `sluice serve` become ListenerLimits in milliseconds and bytes; a bad
// value is refused with a coded error naming the flag.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { limitsFromFlags, serveDefaults } from '../../src/cli/serve.ts';
import { defaultLimits } from '../../src/proxy/listeners.ts';

const flags = { headerTimeout: serveDefaults.headerTimeout, idleTimeout: serveDefaults.idleTimeout, maxHeaderSize: serveDefaults.maxHeaderSize, clientBodyTimeout: serveDefaults.clientBodyTimeout, clientSendTimeout: serveDefaults.clientSendTimeout };

test('the flag defaults are the listeners\' default limits', () => {
  assert.deepEqual(limitsFromFlags(flags), defaultLimits);
});

test('--client-body-timeout and --client-send-timeout take seconds (fractions too) and 0 for no limit', () => {
  assert.equal(limitsFromFlags({ ...flags, clientBodyTimeout: '2.5' }).bodyTimeout, 2500);
  assert.equal(limitsFromFlags({ ...flags, clientBodyTimeout: '0' }).bodyTimeout, 0);
  assert.equal(limitsFromFlags({ ...flags, clientSendTimeout: '0.5' }).sendTimeout, 500);
  for (const bad of ['-1', 'soon', '', 'Infinity']) {
    assert.throws(() => limitsFromFlags({ ...flags, clientBodyTimeout: bad }), { code: 'SLUICE_ERR_BAD_FLAG', message: /--client-body-timeout/ }, bad);
    assert.throws(() => limitsFromFlags({ ...flags, clientSendTimeout: bad }), { code: 'SLUICE_ERR_BAD_FLAG', message: /--client-send-timeout/ }, bad);
  }
  assert.throws(() => limitsFromFlags({ ...flags, idleTimeout: '0' }), { code: 'SLUICE_ERR_BAD_FLAG', message: /--idle-timeout/ });
});
