// `sluice get KIND` against a running gateway's admin endpoint: kubectl-style tables per kind,
// -n/-A, -o json|yaml|wide, kubectl's "No resources found", unknown kinds and names.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import type { ConfigDir } from '../support/config.ts';
import { eventually, getJson } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { type Run, runAll } from './cli-runs.ts';
import { inspectConfig, serveArgs } from './inspect-fixture.ts';

/** The table's rows as arrays of cells, cut where the header's columns start, header first. */
function table(out: string): string[][] {
  const lines = out.trimEnd().split('\n');
  const starts = [...lines[0]!.matchAll(/\S+/g)].map((m) => m.index);
  return lines.map((l) => starts.map((s, i) => l.slice(s, starts[i + 1]).trim()));
}

const SWAGGER = readFileSync(new URL('../fixtures/petstore/swagger.json', import.meta.url), 'utf8');

/** An Upstream whose functions discovery finds in its service's Swagger document, and a route to it (discovery waits for endpoints). */
const discoveryDocs = (port: number): object[] => [
  {
    apiVersion: 'gloo.solo.io/v1',
    kind: 'Upstream',
    metadata: { name: 'petstore', namespace: 'disc', labels: { 'discovery.solo.io/function_discovery': 'enabled' } },
    spec: { static: { hosts: [{ addr: '127.0.0.1', port }] } },
  },
  {
    apiVersion: 'gateway.solo.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'petstore', namespace: 'disc' },
    spec: { virtualHost: { domains: ['petstore.example.com'], routes: [{ matchers: [{ prefix: '/' }], routeAction: { single: { upstream: { name: 'petstore', namespace: 'disc' } } } }] } },
  },
];

describe('sluice get', () => {
  let up: Upstream;
  let swagger: Upstream;
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let r: Record<string, Run>;

  before(async () => {
    up = await startUpstream('up');
    swagger = await startUpstream('swagger', (req, res) => void (req.url === '/swagger.json' ? res.writeHead(200, { 'content-type': 'application/json' }).end(SWAGGER) : res.writeHead(404).end()));
    ({ cfg } = await inspectConfig(up.port));
    await cfg.write('discovery.yaml', discoveryDocs(swagger.port));
    sluice = await startSluice(serveArgs(cfg.dir));
    const found = async () => (await getJson<{ functionDiscovery: { state: string }[] }>(sluice.addresses.admin!, 'admin', '/status')).json.functionDiscovery.some((d) => d.state === 'found');
    assert.ok(await eventually(found, 20_000), 'discovery found the Swagger document');
    const admin = ['--admin', sluice.addresses.admin!];
    r = await runAll({
      ingresses: ['get', 'ingresses', ...admin],
      ingressesAll: ['get', 'ing', '-A', ...admin],
      routes: ['get', 'routes', ...admin],
      routesJson: ['get', 'routes', '-o', 'json', ...admin],
      gateways: ['get', 'gateways', ...admin],
      httproutes: ['get', 'httproutes', '-o', 'wide', ...admin],
      grpcroutes: ['get', 'grpcroutes', ...admin],
      trafficpolicies: ['get', 'trafficpolicies', ...admin],
      virtualservices: ['get', 'virtualservices', '-n', 'gloo-system', ...admin],
      upstreams: ['get', 'upstreams', '-n', 'gloo-system', ...admin],
      implicit: ['get', 'upstreams', '-o', 'yaml', ...admin],
      functions: ['get', 'functions', '-n', 'gloo-system', ...admin],
      discovered: ['get', 'functions', '-n', 'disc', ...admin],
      discoveredUpstream: ['get', 'upstreams', 'petstore', '-n', 'disc', '-o', 'wide', ...admin],
      empty: ['get', 'ingresses', '-n', 'nowhere', ...admin],
      unknownKind: ['get', 'widgets', ...admin],
      unknownName: ['get', 'ingress', 'nope', ...admin],
      oneByName: ['get', 'ingress', 'api', '-n', 'team', '-o', 'json', ...admin],
    });
  });
  after(async () => {
    await sluice?.stop();
    await up?.close();
    await swagger?.close();
    await cfg?.cleanup();
  });

  it('lists the Knative Ingresses of the default namespace with READY and hosts', () => {
    assert.equal(r.ingresses!.code, 0, r.ingresses!.stderr);
    assert.deepEqual(table(r.ingresses!.stdout), [
      ['NAME', 'READY', 'REASON', 'HOSTS'],
      ['shop', 'True', '', 'shop.example.com'],
    ]);
  });

  it('-A lists every namespace with a NAMESPACE column', () => {
    const rows = table(r.ingressesAll!.stdout);
    assert.deepEqual(rows[0], ['NAMESPACE', 'NAME', 'READY', 'REASON', 'HOSTS']);
    assert.deepEqual(rows.slice(1).map((x) => `${x[0]}/${x[1]}`), ['default/shop', 'team/api']);
  });

  it('lists routes with listener, host, path and the splits with their weights', () => {
    const rows = table(r.routes!.stdout);
    assert.deepEqual(rows[0], ['NAME', 'LISTENER', 'HOST', 'PATH', 'SPLITS']);
    assert.ok(rows.some((x) => x.join('|') === 'ingress/shop|external|shop.example.com|/*|default/web-a:80 90%, default/web-b:80 10%'), r.routes!.stdout);
    assert.ok(rows.some((x) => x[0] === 'httproute/app' && x[1] === `gateway/127.0.0.1:${(JSON.parse(r.routesJson!.stdout) as { items: { listener: string }[] }).items.find((i) => i.listener.startsWith('gateway/'))!.listener.split(':')[1]}` && x[2] === 'app.example.com'), r.routes!.stdout);
  });

  it('-o json prints a List of the rows\' objects', () => {
    const list = JSON.parse(r.routesJson!.stdout) as { kind: string; items: { listener: string; domains: string[]; route: { splits: { cluster: string; weight: number }[] } }[] };
    assert.equal(list.kind, 'List');
    const shop = list.items.find((i) => i.domains.includes('shop.example.com') && i.listener === 'external')!;
    assert.deepEqual(shop.route.splits.map((s) => [s.cluster, s.weight]), [['default/web-a:80', 90], ['default/web-b:80', 10]]);
  });

  it('lists Gateways, HTTPRoutes and TrafficPolicies with their verdicts', () => {
    assert.deepEqual(table(r.gateways!.stdout), [
      ['NAME', 'ADDRESS', 'ACCEPTED', 'PROGRAMMED', 'REASON'],
      ['gw', '127.0.0.1', 'True', 'True', ''],
    ]);
    assert.deepEqual(table(r.httproutes!.stdout), [
      ['NAME', 'HOSTNAMES', 'PARENTS', 'ACCEPTED', 'REASON'],
      ['app', 'app.example.com', 'gw', 'True', ''],
    ]);
    assert.deepEqual(table(r.trafficpolicies!.stdout), [
      ['NAME', 'TARGETS', 'ACCEPTED', 'REASON'],
      ['limits', 'HTTPRoute/app', 'True', ''],
    ]);
  });

  it('says "No resources found in NS namespace." on stderr when there is nothing, and exits 0', () => {
    assert.equal(r.empty!.code, 0);
    assert.equal(r.empty!.stdout, '');
    assert.equal(r.empty!.stderr, 'No resources found in nowhere namespace.\n');
    assert.equal(r.grpcroutes!.stderr, 'No resources found in default namespace.\n');
  });

  it('lists VirtualServices with Gloo state and domains', () => {
    assert.deepEqual(table(r.virtualservices!.stdout), [
      ['NAME', 'STATUS', 'REASON', 'DOMAINS'],
      ['pets', 'Accepted', '', 'pets.example.com'],
    ]);
  });

  it('lists written Upstreams with type, endpoints and functions count', () => {
    assert.deepEqual(table(r.upstreams!.stdout), [
      ['NAME', 'TYPE', 'STATUS', 'ENDPOINTS', 'FUNCTIONS'],
      ['lambda', 'aws', 'Accepted', '-', '1'],
      ['pets', 'static', 'Accepted', '1', '1'],
    ]);
  });

  it('lists implicit Upstreams, one per Service port, as Gloo names them', () => {
    const list = parse(r.implicit!.stdout) as { items: { name: string; type: string; service: string; endpoints: unknown[] }[] };
    const webA = list.items.find((u) => u.name === 'default-web-a-80')!;
    assert.equal(webA.type, 'implicit');
    assert.equal(webA.service, 'default/web-a:80');
    assert.deepEqual(webA.endpoints, [{ address: '127.0.0.1', port: up.port }]);
  });

  it('lists each function with its upstream, kind and how it was found', () => {
    assert.deepEqual(table(r.functions!.stdout), [
      ['NAME', 'UPSTREAM', 'KIND', 'FOUND-BY'],
      ['hello', 'lambda', 'lambda', 'spec'],
      ['getPet', 'pets', 'rest', 'spec'],
    ]);
  });

  it('lists the functions discovery found, found by openapi', () => {
    const rows = table(r.discovered!.stdout);
    assert.deepEqual(rows[0], ['NAME', 'UPSTREAM', 'KIND', 'FOUND-BY']);
    assert.ok(rows.some((x) => x.join('|') === 'getPetById|petstore|rest|openapi'), r.discovered!.stdout);
    assert.equal(rows.length - 1, 20);
    assert.deepEqual(table(r.discoveredUpstream!.stdout), [
      ['NAME', 'TYPE', 'STATUS', 'ENDPOINTS', 'FUNCTIONS', 'SERVICE', 'DISCOVERY', 'REASON'],
      ['petstore', 'static', 'Accepted', '1', '20', '', 'openapi found', ''],
    ]);
  });

  it('prints one object by name, and fails naming an unknown kind or name', () => {
    assert.equal((JSON.parse(r.oneByName!.stdout) as { name: string }).name, 'api');
    assert.equal(r.unknownKind!.code, 2);
    assert.match(r.unknownKind!.stderr, /unknown kind "widgets": one of ingresses, .*upstreams, functions/);
    assert.equal(r.unknownName!.code, 1);
    assert.equal(r.unknownName!.stderr, 'sluice: ingresses "nope" not found in namespace default\n');
  });
});
