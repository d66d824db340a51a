// IP allow/deny lists: CIDRs compiled once into a matcher (IPv4, IPv6, IPv4-mapped IPv6), and the
// policy's verdicts on a request's client address.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileCidrs, parseCidr } from '../../src/policies/ip-cidr.ts';
import { IpAccess } from '../../src/policies/ip-access.ts';
import type { PolicyRequest } from '../../src/proxy/exchange-policy.ts';

const from = (clientAddress: string | undefined): PolicyRequest => ({ clientAddress } as unknown as PolicyRequest);

describe('CIDR matcher', () => {
  it('matches IPv4 ranges, single addresses and the whole space', () => {
    const m = compileCidrs(['10.0.0.0/8', '192.168.1.7', '0.0.0.0/0']);
    assert.equal(m.has('10.255.3.4'), true);
    const narrow = compileCidrs(['10.0.0.0/8', '192.168.1.7/32']);
    assert.equal(narrow.has('10.1.2.3'), true);
    assert.equal(narrow.has('11.0.0.0'), false);
    assert.equal(narrow.has('192.168.1.7'), true);
    assert.equal(narrow.has('192.168.1.8'), false);
  });

  it('matches IPv6 ranges, and IPv4-mapped IPv6 addresses against IPv4 ranges and the other way round', () => {
    const m = compileCidrs(['2001:db8::/32', '10.0.0.0/8', '::ffff:172.16.0.0/108']);
    assert.equal(m.has('2001:db8:1::5'), true);
    assert.equal(m.has('2001:db9::1'), false);
    assert.equal(m.has('::ffff:10.1.1.1'), true, 'a mapped address is its IPv4 address');
    assert.equal(m.has('::FFFF:a01:101'), true, 'in hex words too');
    assert.equal(m.has('172.16.9.9'), true, 'a mapped range is its IPv4 range');
    assert.equal(m.has('172.32.0.1'), false);
    assert.equal(m.has('::1'), false);
    assert.equal(compileCidrs(['::/0']).has('::1'), true);
    assert.equal(compileCidrs(['::1/128']).has('::1'), true);
    assert.equal(compileCidrs(['fe80::/10']).has('fe80::1%eth0'), true, 'a zone id is not part of the address');
  });

  it('never matches what is not an address', () => {
    const m = compileCidrs(['0.0.0.0/0', '::/0']);
    for (const bad of ['', 'localhost', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1::2::3', 'x'.repeat(10_000), '01.2.3.4']) assert.equal(m.has(bad), false, bad);
  });

  it('refuses bad CIDRs with a reason, and masks host bits', () => {
    assert.match(String(parseCidr('10.0.0.0/33')), /prefix/);
    assert.match(String(parseCidr('10.0.0/8')), /address/);
    assert.match(String(parseCidr('::/129')), /prefix/);
    assert.match(String(parseCidr('10.0.0.0/')), /prefix/);
    assert.deepEqual(parseCidr('10.1.2.3/8'), { words: [0, 0, 0xffff, 0x0a000000], prefix: 104 });
  });
});

describe('IpAccess policy', () => {
  it('denies listed clients with 403 and lets others through', () => {
    const p = new IpAccess({ deny: ['127.0.0.0/8'] });
    assert.equal(p.onRequest(from('127.0.0.1'))?.status, 403);
    assert.equal(p.onRequest(from('::ffff:127.0.0.1'))?.status, 403);
    assert.equal(p.onRequest(from('10.0.0.1')), undefined);
  });

  it('with an allow list, lets only listed clients through, and deny wins over allow', () => {
    const p = new IpAccess({ allow: ['10.0.0.0/8', '::1/128'], deny: ['10.9.0.0/16'] });
    assert.equal(p.onRequest(from('10.1.0.1')), undefined);
    assert.equal(p.onRequest(from('::1')), undefined);
    assert.equal(p.onRequest(from('10.9.0.1'))?.status, 403);
    assert.equal(p.onRequest(from('192.0.2.1'))?.status, 403);
    assert.equal(p.onRequest(from(undefined))?.status, 403, 'an unknown client is not on an allow list');
  });
});
