// SNI certificate selection: exact names, wildcards, the default, reuse across snapshots.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Snapshot, TlsCertificate } from '../../src/snapshot/types.ts';
import { TlsContexts } from '../../src/proxy/tls.ts';
import { makeCert } from './certs.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-tls-unit-'));
const a = makeCert(dir, 'a', ['a.example.com']);
const w = makeCert(dir, 'w', ['*.w.example.com']);
const d = makeCert(dir, 'd', ['default.invalid']);

function snap(tls: TlsCertificate[]): Snapshot {
  return { version: 1, hash: 'x', listeners: { external: [], local: [] }, ports: [], clusters: [], tls, ingresses: [] };
}
const cert = (name: string, hosts: string[], pair: { cert: string; key: string }): TlsCertificate => ({ name, hosts, certChain: pair.cert, privateKey: pair.key });

describe('TlsContexts', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('finds exact names (case and trailing dot ignored), then the wildcard one level up', () => {
    const c = new TlsContexts();
    c.update(snap([cert('ns/a', ['a.example.com'], a), cert('ns/w', ['*.w.example.com'], w)]));
    const ctxA = c.lookup('a.example.com');
    assert.ok(ctxA);
    assert.equal(c.lookup('A.Example.COM.'), ctxA);
    const ctxW = c.lookup('x.w.example.com');
    assert.ok(ctxW);
    assert.notEqual(ctxW, ctxA);
    // a wildcard covers exactly one label
    assert.equal(c.lookup('y.x.w.example.com'), undefined);
    assert.equal(c.lookup('w.example.com'), undefined);
    assert.equal(c.lookup('b.example.com'), undefined);
  });

  it("serves Knative's certificates only: a Gateway listener's certificate is for its own port", () => {
    const c = new TlsContexts();
    c.update(snap([cert('ns/a', ['a.example.com'], a), { ...cert('gateway:ns/w', ['*.w.example.com'], w), gateway: true }]));
    assert.ok(c.lookup('a.example.com'));
    assert.equal(c.lookup('x.w.example.com'), undefined);
  });

  it('falls back to the default certificate for unknown names', () => {
    const c = new TlsContexts({ cert: d.cert, key: d.key });
    c.update(snap([cert('ns/a', ['a.example.com'], a)]));
    assert.ok(c.lookup('unknown.example.com'));
    assert.notEqual(c.lookup('unknown.example.com'), c.lookup('a.example.com'));
  });

  it('reuses a context while its PEMs are unchanged and swaps it when they change', () => {
    const c = new TlsContexts();
    c.update(snap([cert('ns/a', ['a.example.com'], a)]));
    const first = c.lookup('a.example.com');
    c.update(snap([cert('ns/a', ['a.example.com', 'a2.example.com'], a)]));
    assert.equal(c.lookup('a.example.com'), first);
    assert.equal(c.lookup('a2.example.com'), first);
    c.update(snap([cert('ns/a', ['a.example.com'], w)]));
    assert.notEqual(c.lookup('a.example.com'), first);
    c.update(snap([]));
    assert.equal(c.lookup('a.example.com'), undefined);
  });

  it('skips a certificate Node cannot load and reports it, keeping the others', () => {
    const c = new TlsContexts();
    const errors: string[] = [];
    c.update(snap([cert('ns/a', ['a.example.com'], a), cert('ns/bad', ['bad.example.com'], { cert: 'not a pem', key: 'nope' })]), (t) => errors.push(t.name));
    assert.deepEqual(errors, ['ns/bad']);
    assert.ok(c.lookup('a.example.com'));
    assert.equal(c.lookup('bad.example.com'), undefined);
  });
});
