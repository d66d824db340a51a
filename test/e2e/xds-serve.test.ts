// `sluice serve --xds`: the real process serves its translated snapshot to an ADS client,
// and pushes a config-directory edit to it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { startSluice } from '../support/sluice.ts';
import { node, sotw } from '../xds/ads-client.ts';
import { decodeAny } from '../../src/xds/encode.ts';
import { TypeUrl } from '../../src/xds/protos.ts';

describe('sluice serve --xds', () => {
  it('serves routes and endpoints from the config directory and pushes edits', async () => {
    const cfg = await ConfigDir.create();
    await cfg.write('a.yaml', [
      ...backend('hello', [{ ip: '127.0.0.1', port: 9999 }]),
      ingress('hello', [{ hosts: ['hello.example.com'], paths: [{ splits: [{ service: 'hello' }] }] }]),
    ]);
    const sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--xds', '127.0.0.1:0'], ['http', 'local', 'admin', 'xds']);
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
});
