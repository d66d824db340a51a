// The admin token rules (src/admin/auth.ts): which --admin hosts count as loopback, and that a
// token of any length, or none, is refused without throwing (timingSafeEqual throws on a length
// mismatch unless both sides are digests).
import assert from 'node:assert/strict';
import type http from 'node:http';
import { test } from 'node:test';
import { adminTokenFromFlags, authorized, fixedToken, isLoopbackHost } from '../../src/admin/auth.ts';

const req = (authorization?: string) => ({ headers: authorization === undefined ? {} : { authorization } }) as http.IncomingMessage;

test('loopback hosts: 127.0.0.0/8, ::1 (also IPv4-mapped) and localhost; nothing else', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST']) assert.ok(isLoopbackHost(h), h);
  for (const h of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.1', 'example.com', '127.example.com', '::ffff:10.0.0.1']) assert.ok(!isLoopbackHost(h), h);
});

test('a non-loopback admin host needs a token file unless insecure', () => {
  assert.equal(adminTokenFromFlags('::1', undefined, false), undefined);
  assert.equal(adminTokenFromFlags('0.0.0.0', undefined, true), undefined);
  assert.throws(() => adminTokenFromFlags('::', undefined, false), { code: 'SLUICE_ERR_BAD_FLAG' });
});

test('only the exact bearer token passes; /ready and /live need none', () => {
  const secret = 's3cret-token';
  const token = fixedToken(secret);
  assert.ok(authorized(token, req(`Bearer ${secret}`), '/status'));
  assert.ok(authorized(token, req(`bearer ${secret}`), '/status'), 'the scheme is case-insensitive');
  for (const bad of [undefined, '', 'Bearer', `Bearer ${secret}x`, 'Bearer s', `Basic ${secret}`, `Bearer ${secret} extra`, `Bearer ${'a'.repeat(10_000)}`]) {
    assert.equal(authorized(token, req(bad), '/status'), false, String(bad));
  }
  assert.ok(authorized(token, req(), '/ready'));
  assert.ok(authorized(token, req(), '/live'));
  assert.ok(authorized(undefined, req(), '/config'), 'no token set: open, as on loopback');
});
