// Proxyless clients' route configurations (one per host): a virtual host serving several hosts
// has its routes translated and encoded once, each host's configuration spliced around them,
// byte for byte what encoding each configuration whole gives.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Snapshot } from '../../src/snapshot/types.ts';
import { XdsResourceCache } from '../../src/xds/resource-cache.ts';
import { encodeAny } from '../../src/xds/encode.ts';
import { grpcRouteConfiguration, grpcRouteOptions } from '../../src/xds/routes.ts';
import { envoyFunctions } from '../../src/xds/functions.ts';
import { DEFAULT_ADDRESSES, irRoute, irSnapshot } from './helpers.ts';

const withHosts = (hosts: readonly string[]): Snapshot => {
  const s = irSnapshot([irRoute(), irRoute({ path: { type: 'prefix', value: '/b' }, splits: [{ cluster: 'default/b:80', weight: 1, filters: [] }] })]);
  return { ...s, listeners: { external: [{ ...s.listeners.external[0]!, domains: [...hosts] }], local: [] } };
};
/** What building `s` and reading every proxyless route configuration and API listener translates. */
const translatedFor = (s: Snapshot) => {
  const cache = new XdsResourceCache(DEFAULT_ADDRESSES);
  const tables = cache.build(s);
  for (const r of [...tables.route.values(), ...tables.listener.values()]) void r.any;
  return { tables, translated: cache.stats.translated };
};

test("a virtual host's proxyless route configurations translate its routes once, whatever its number of hosts", () => {
  const one = translatedFor(withHosts(['a.example.com']));
  const three = translatedFor(withHosts(['a.example.com', 'b.example.com', 'c.example.com']));
  // Each further host is an API listener of its own; its route configuration is spliced, not translated.
  assert.equal(three.translated - one.translated, 2);
});

test('a spliced proxyless route configuration is byte for byte the whole one encoded', () => {
  const s = withHosts(['a.example.com', 'b.example.com']);
  const { tables } = translatedFor(s);
  const vhost = s.listeners.external[0]!;
  for (const host of vhost.domains) {
    const whole = encodeAny('envoy.config.route.v3.RouteConfiguration', grpcRouteConfiguration(host, vhost, grpcRouteOptions(envoyFunctions(s))).resource);
    assert.deepEqual(Buffer.from(tables.route.get(host)!.any.value), Buffer.from(whole.value), host);
  }
});

test('a virtual host in both external route configurations is translated once, unless one of them redirects it', () => {
  const s = withHosts(['a.example.com']);
  const none = translatedFor({ ...s, listeners: { external: [], local: [] } }).translated;
  // one fragment for `external` and `external-tls`, one proxyless route configuration, one API listener
  assert.equal(translatedFor(s).translated - none, 3);
  const redirected = { ...s, listeners: { external: [{ ...s.listeners.external[0]!, httpOption: 'Redirected' as const }], local: [] } };
  assert.equal(translatedFor(redirected).translated - none, 4, 'external redirects, external-tls does not: two fragments');
});

test("a proxyless host's route configuration is translated only once something reads it", () => {
  const s = withHosts(['a.example.com', 'b.example.com']);
  const cache = new XdsResourceCache(DEFAULT_ADDRESSES);
  const tables = cache.build(s);
  const unread = cache.stats.translated;
  for (const host of ['a.example.com', 'b.example.com']) void tables.route.get(host)!.any;
  assert.equal(cache.stats.translated - unread, 1, "the virtual host's routes, once for both hosts");
});

test("a proxyless host's API listener is encoded only once something reads it", () => {
  const s = withHosts(['a.example.com']);
  const cache = new XdsResourceCache(DEFAULT_ADDRESSES);
  const tables = cache.build(s);
  const encoded = cache.stats.encoded;
  assert.equal(tables.listener.get('a.example.com')?.wildcard, false);
  void tables.listener.get('a.example.com')!.any;
  assert.equal(cache.stats.encoded - encoded, 1);
});
