// `sluice serve --xds`: the real process serves its translated snapshot to an ADS client,
// and pushes a config-directory edit to it; it binds loopback unless told otherwise, warns when
// it is open to the network, and serves mTLS with a node-id allow-list.
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { runSluice, startSluice } from '../support/sluice.ts';
import { node, sotw } from '../xds/ads-client.ts';
import { makePki } from '../xds/certs.ts';
import { tlsSecret } from '../proxy/certs.ts';
import { decodeAny } from '../../src/xds/encode.ts';
import { TypeUrl } from '../../src/xds/protos.ts';

describe('sluice serve --xds', () => {
  it('serves routes and endpoints from the config directory and pushes edits', async () => {
    const cfg = await ConfigDir.create();
    await cfg.write('a.yaml', [
      ...backend('hello', [{ ip: '127.0.0.1', port: 9999 }]),
      ingress('hello', [{ hosts: ['hello.example.com'], paths: [{ splits: [{ service: 'hello' }] }] }]),
    ]);
    const sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--xds', ':0'], ['http', 'local', 'admin', 'xds']);
    assert.match(sluice.addresses.xds!, /^127\.0\.0\.1:\d+$/, '--xds :PORT binds loopback');
    const c = sotw(sluice.addresses.xds!);
    try {
      c.send({ node: node('e2e'), type_url: TypeUrl.route, resource_names: ['external'] });
      const r1 = await c.next(10_000);
      const rc = decodeAny(r1.resources[0]!) as { name: string; virtual_hosts: Array<{ domains: string[] }> };
      assert.equal(rc.name, 'external');
      assert.deepEqual(rc.virtual_hosts.flatMap((v) => v.domains), ['hello.example.com']);
      c.send({ type_url: TypeUrl.route, resource_names: ['external'], version_info: r1.version_info, response_nonce: r1.nonce });
      c.send({ type_url: TypeUrl.endpoint, resource_names: ['default/hello:80'] });
      const e1 = await c.next(10_000);
      const cla = decodeAny(e1.resources[0]!) as { endpoints: Array<{ lb_endpoints: Array<{ endpoint: { address: { socket_address: { port_value: number } } } }> }> };
      assert.equal(cla.endpoints[0]!.lb_endpoints[0]!.endpoint.address.socket_address.port_value, 9999);
      c.send({ type_url: TypeUrl.endpoint, resource_names: ['default/hello:80'], version_info: e1.version_info, response_nonce: e1.nonce });
      // An edit to the directory reaches the subscribed client.
      await cfg.write('a.yaml', [
        ...backend('hello', [{ ip: '127.0.0.1', port: 9998 }]),
        ingress('hello', [{ hosts: ['hello.example.com', 'hi.example.com'], paths: [{ splits: [{ service: 'hello' }] }] }]),
      ]);
      const pushed = new Map<string, unknown>();
      while (pushed.size < 2) {
        const r = await c.next(10_000);
        pushed.set(r.type_url, decodeAny(r.resources[0]!));
        c.send({ type_url: r.type_url, resource_names: [r.type_url === TypeUrl.route ? 'external' : 'default/hello:80'], version_info: r.version_info, response_nonce: r.nonce });
      }
      assert.deepEqual((pushed.get(TypeUrl.route) as typeof rc).virtual_hosts.flatMap((v) => v.domains).sort(), ['hello.example.com', 'hi.example.com']);
      assert.equal((pushed.get(TypeUrl.endpoint) as typeof cla).endpoints[0]!.lb_endpoints[0]!.endpoint.address.socket_address.port_value, 9998);
    } finally {
      c.close();
      await sluice.stop();
      await cfg.cleanup();
    }
  });

  it('warns when told to bind all interfaces without TLS', async () => {
    const cfg = await ConfigDir.create();
    const sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--xds', '0.0.0.0:0'], ['http', 'xds']);
    try {
      assert.match(sluice.addresses.xds!, /^0\.0\.0\.0:\d+$/);
      const warning = await sluice.waitForLog((e) => e.level === 40 && /every route and endpoint/.test(String(e.msg)));
      assert.match(String(warning.msg), /anyone who can reach it/);
    } finally {
      await sluice.stop();
      await cfg.cleanup();
    }
  });

  it('serves mTLS to allowed node ids only, with certificates over SDS and never in LDS', async () => {
    const cfg = await ConfigDir.create();
    const pki = makePki();
    const ca = pki.ca('xds-ca');
    const server = ca.issue('server', 'sluice-xds', ['IP:127.0.0.1']);
    const client = ca.issue('envoy', 'envoy-1', []);
    const site = ca.issue('site', 'hello.example.com', ['DNS:hello.example.com']);
    await cfg.write('a.yaml', [
      ...backend('hello', [{ ip: '127.0.0.1', port: 9999 }]),
      tlsSecret('hello-tls', { cert: site.cert.toString(), key: site.key.toString() }),
      ingress('hello', [{ hosts: ['hello.example.com'], paths: [{ splits: [{ service: 'hello' }] }] }], {
        tls: [{ hosts: ['hello.example.com'], secretName: 'hello-tls', secretNamespace: 'default' }],
      }),
    ]);
    const sluice = await startSluice([
      'serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0',
      '--xds', '127.0.0.1:0', '--xds-tls-cert', server.certFile, '--xds-tls-key', server.keyFile,
      '--xds-client-ca', ca.certFile, '--xds-allow-node', 'envoy-*',
    ], ['http', 'xds']);
    const creds = () => grpc.credentials.createSsl(ca.cert, client.key, client.cert);
    const allowed = sotw(sluice.addresses.xds!, creds());
    const other = sotw(sluice.addresses.xds!, creds());
    const plain = sotw(sluice.addresses.xds!);
    try {
      allowed.send({ node: node('envoy-1'), type_url: TypeUrl.listener });
      const lds = await allowed.next(10_000);
      assert.ok(lds.resources.some((r) => decodeAny(r).name === 'external-tls'), 'the TLS listener is served');
      for (const r of lds.resources) assert.equal(Buffer.from(r.value).includes('PRIVATE KEY'), false, 'no key in LDS');
      allowed.send({ type_url: TypeUrl.listener, version_info: lds.version_info, response_nonce: lds.nonce });
      allowed.send({ type_url: TypeUrl.secret, resource_names: ['default/hello-tls'] });
      const sds = await allowed.next(10_000);
      assert.equal(sds.type_url, TypeUrl.secret);
      assert.ok(Buffer.from(sds.resources[0]!.value).includes(site.key), 'the Secret carries the key');
      other.send({ node: node('gateway-1'), type_url: TypeUrl.route, resource_names: ['external'] });
      assert.equal((await other.status(10_000)).code, grpc.status.PERMISSION_DENIED);
      plain.send({ node: node('envoy-1'), type_url: TypeUrl.route, resource_names: ['external'] });
      assert.equal((await plain.status(10_000)).code, grpc.status.UNAVAILABLE);
    } finally {
      for (const c of [allowed, other, plain]) c.close();
      await sluice.stop();
      await cfg.cleanup();
      pki.cleanup();
    }
  });

  it('refuses unusable xDS flags with one line naming the flag', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--xds', ':0', '--xds-tls-cert', '/nonexistent/cert.pem', '--xds-tls-key', '/nonexistent/key.pem'], /^sluice: --xds-tls-cert \/nonexistent\/cert\.pem: .*ENOENT/],
      [['--xds', ':0', '--xds-allow-node', 'a*b'], /^sluice: --xds-allow-node: "a\*b"/],
      [['--xds-client-ca', '/tmp/ca.pem'], /^sluice: --xds-client-ca needs --xds/],
    ];
    const cfg = await ConfigDir.create();
    try {
      for (const [flags, message] of cases) {
        const r = await runSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', ...flags]);
        assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, message);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      }
    } finally {
      await cfg.cleanup();
    }
  });
});
