// Who may receive anything from the xDS server: the node-id allow-list and the certificate
// identity check, as pure functions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { certIdentities, denialReason, nodeIdAllowed, parseNodeAllowList } from '../../src/xds/access.ts';

test('the allow-list takes exact ids and prefixes ending in *', () => {
  const list = parseNodeAllowList('envoy-1, edge-*');
  assert.deepEqual(list, ['envoy-1', 'edge-*']);
  assert.equal(nodeIdAllowed(list, 'envoy-1'), true);
  assert.equal(nodeIdAllowed(list, 'envoy-10'), false);
  assert.equal(nodeIdAllowed(list, 'edge-'), true);
  assert.equal(nodeIdAllowed(list, 'edge-eu-7'), true);
  assert.equal(nodeIdAllowed(list, 'xedge-1'), false);
  assert.equal(nodeIdAllowed(list, ''), false);
  assert.equal(nodeIdAllowed(undefined, 'anyone'), true, 'no list: every node id');
  assert.equal(nodeIdAllowed(['*'], 'anyone'), true);
});

test('an allow-list entry that is empty or has * anywhere but at the end is refused, naming the flag', () => {
  for (const bad of ['', 'a,,b', 'a*b', '*x', 'a**']) {
    assert.throws(() => parseNodeAllowList(bad), { code: 'SLUICE_ERR_BAD_FLAG', message: /--xds-allow-node/ }, bad);
  }
});

test("a certificate's identities are its CN and its URI SANs (not its DNS names)", () => {
  const cert = {
    subject: { CN: 'envoy-a' },
    subjectaltname: 'DNS:envoy-a.example.com, URI:spiffe://cluster.local/ns/edge/sa/envoy, URI:"urn:x,y", IP Address:10.0.0.1',
  };
  assert.deepEqual(certIdentities(cert), ['envoy-a', 'spiffe://cluster.local/ns/edge/sa/envoy', 'urn:x,y']);
  assert.deepEqual(certIdentities({ subject: { CN: ['a', 'b'] } }), ['a', 'b']);
  assert.deepEqual(certIdentities({}), []);
});

test('denialReason says why a client is refused, and nothing when it is admitted', () => {
  const cert = { subject: { CN: 'envoy-a' }, subjectaltname: 'URI:spiffe://x/envoy-b' };
  assert.equal(denialReason({}, '', undefined), undefined);
  assert.match(denialReason({ allowNodes: ['envoy-*'] }, 'intruder', undefined)!, /node id "intruder" is not allowed/);
  assert.match(denialReason({ allowNodes: ['envoy-*'] }, '', undefined)!, /no node id/);
  assert.equal(denialReason({ nodeIdFromCert: true }, 'envoy-a', cert), undefined);
  assert.equal(denialReason({ nodeIdFromCert: true }, 'spiffe://x/envoy-b', cert), undefined);
  assert.match(denialReason({ nodeIdFromCert: true }, 'envoy-b', cert)!, /does not match the client certificate/);
  assert.match(denialReason({ nodeIdFromCert: true }, 'envoy-a', undefined)!, /no client certificate/);
});
