// decide() on Gateway ports: a redirect without a port names the listener's declared port (the
// bound one is the declared one plus --port-offset), and on HTTPS ports a Host of another listener
// than the SNI's is misdirected (421), with a wildcard listener's hosts counted as one listener.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { replyFor } from '../../src/proxy/local-reply.ts';
import { compileRouter } from '../../src/proxy/router.ts';
import type { PortListener, VirtualHost } from '../../src/snapshot/types.ts';
import { ask, route, snapshotOf, target, vhost } from '../proxy/ir-helpers.ts';

const redirect = route({ filters: [{ type: 'redirect', hostname: 'new.example.com', statusCode: 302 }] });
const portOf = (name: string, protocol: PortListener['protocol'], virtualHosts: VirtualHost[], listenerPort?: number): PortListener => ({
  name,
  address: '127.0.0.1',
  port: 18080,
  ...(listenerPort !== undefined && { listenerPort }),
  protocol,
  certificates: [],
  virtualHosts,
});
const onListener = (domain: string, listenerHostname: string): VirtualHost => ({ ...vhost([domain], [route()]), name: domain, listenerHostname });

describe('decide on Gateway ports', () => {
  it('redirects to the listener port, not the bound port the Host carries', () => {
    const router = compileRouter(snapshotOf([], [portOf('p8080', 'HTTP', [vhost(['h.example.com'], [redirect])], 8080), portOf('p80', 'HTTP', [vhost(['h.example.com'], [redirect])], 80)]));
    const location = (listener: string) => {
      const d = ask(router, { listener, authority: 'h.example.com:18080', url: '/x?y=1' });
      return d.kind === 'redirect' ? d.location : d.kind;
    };
    assert.equal(location('p8080'), 'http://new.example.com:8080/x?y=1');
    assert.equal(location('p80'), 'http://new.example.com/x?y=1');
  });

  it('keeps the Host port where a port has no declared listener port', () => {
    const router = compileRouter(snapshotOf([], [portOf('p', 'HTTP', [vhost(['h.example.com'], [redirect])])]));
    const d = ask(router, { listener: 'p', authority: 'h.example.com:18080', url: '/' });
    assert.equal(d.kind === 'redirect' && d.location, 'http://new.example.com:18080/');
  });

  it('answers 421 when the Host belongs to another HTTPS listener than the SNI', () => {
    const hosts = [onListener('a.example.com', 'a.example.com'), onListener('*.wild.org', '*.wild.org'), onListener('x.wild.org', '*.wild.org')];
    const router = compileRouter(snapshotOf([], [portOf('tls', 'HTTPS', hosts)]));
    const on = (sni: string | undefined, authority: string) => target(ask(router, { listener: 'tls', secure: true, sni, authority, url: '/' }));
    assert.equal(on('a.example.com', 'a.example.com'), 'a');
    assert.equal(on('a.example.com', 'y.wild.org'), 'misdirected');
    assert.equal(on('y.wild.org', 'a.example.com:443'), 'misdirected');
    // One wildcard listener: a host with its own routes and another name under it share the listener.
    assert.equal(on('y.wild.org', 'x.wild.org'), 'a');
    assert.equal(on('X.Wild.Org.', 'y.wild.org'), 'a');
    // No SNI (an IP address): nothing to compare.
    assert.equal(on(undefined, 'y.wild.org'), 'a');
    const d = ask(router, { listener: 'tls', secure: true, sni: 'a.example.com', authority: 'x.wild.org', url: '/' });
    assert.equal(d.kind !== 'forward' && replyFor(d).reply.status, 421);
  });
});
