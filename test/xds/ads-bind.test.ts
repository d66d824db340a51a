// Where the xDS server listens: loopback unless an interface is named, and a warning when it is
// reachable from the network without client authentication.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import { startXdsServer } from '../../src/xds/server.ts';
import { makePki } from './certs.ts';
import { recordingLog } from './ads-client.ts';
import { DEFAULT_ADDRESSES } from './helpers.ts';

const feed = new SettableFeed();

async function listen(address: string, tls?: { cert: Buffer; key: Buffer; clientCa?: Buffer }) {
  const log = recordingLog();
  const s = await startXdsServer({ address, feed, listenerAddresses: DEFAULT_ADDRESSES, log, tls });
  await s.close();
  return { address: s.address, warnings: log.lines.filter((l) => l.level === 'warn').map((l) => l.message) };
}

test('--xds given as :PORT or PORT binds loopback, quietly', async () => {
  for (const value of [':0', '0']) {
    const { address, warnings } = await listen(value);
    assert.match(address, /^127\.0\.0\.1:\d+$/, value);
    assert.notEqual(address, '127.0.0.1:0');
    assert.deepEqual(warnings, []);
  }
});

test('an explicit 0.0.0.0 without TLS warns that anyone who can reach it gets every route and endpoint', async () => {
  const { address, warnings } = await listen('0.0.0.0:0');
  assert.match(address, /^0\.0\.0\.0:\d+$/);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /no TLS is configured: anyone who can reach it gets every route and endpoint/);
  assert.match(warnings[0]!, /private keys/);
});

test('on all interfaces, TLS without a client CA still warns; mTLS does not', async () => {
  const pki = makePki();
  try {
    const ca = pki.ca('ca');
    const server = ca.issue('server', 'sluice', ['IP:127.0.0.1']);
    const tlsOnly = await listen('0.0.0.0:0', { cert: server.cert, key: server.key });
    assert.match(tlsOnly.warnings.join('\n'), /does not authenticate clients/);
    const mtls = await listen('0.0.0.0:0', { cert: server.cert, key: server.key, clientCa: ca.cert });
    assert.deepEqual(mtls.warnings, []);
  } finally {
    pki.cleanup();
  }
});
