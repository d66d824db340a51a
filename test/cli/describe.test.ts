// `sluice describe KIND NAME`: conditions, routes with splits, the endpoints behind them, and the
// rejected documents naming the object, for each kind a running gateway serves.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ConfigDir, ingress } from '../support/config.ts';
import { eventually, getJson } from '../support/http.ts';
import { runSluice, type SluiceProcess, startSluice } from '../support/sluice.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { type Run, runAll } from './cli-runs.ts';
import { inspectConfig, serveArgs } from './inspect-fixture.ts';

/** The lines of a titled section (`Title:` up to the next unindented line). */
function sectionLines(out: string, title: string): string[] {
  const lines = out.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`${title}:`));
  assert.ok(start >= 0, `no ${title} section in:\n${out}`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => !l.startsWith('  '));
  return rest.slice(0, end < 0 ? rest.length : end).map((l) => l.trim().replace(/ {2,}/g, ' | '));
}

describe('sluice describe', () => {
  let up: Upstream;
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let r: Record<string, Run>;
  let admin: string[];

  before(async () => {
    up = await startUpstream('up');
    ({ cfg } = await inspectConfig(up.port));
    sluice = await startSluice(serveArgs(cfg.dir));
    admin = ['--admin', sluice.addresses.admin!];
    r = await runAll({
      ingress: ['describe', 'ingress', 'shop', ...admin],
      httproute: ['describe', 'httproute', 'app', ...admin],
      gateway: ['describe', 'gateway', 'gw', ...admin],
      upstream: ['describe', 'upstream', 'pets', '-n', 'gloo-system', ...admin],
      vs: ['describe', 'vs', 'pets', '-n', 'gloo-system', ...admin],
      policy: ['describe', 'trafficpolicy', 'limits', ...admin],
      missing: ['describe', 'ingress', 'nope', ...admin],
      badKind: ['describe', 'routes', 'x', ...admin],
    });
  });
  after(async () => {
    await sluice?.stop();
    await up?.close();
    await cfg?.cleanup();
  });

  it('describes an Ingress: conditions, routes with splits, endpoints, no errors', () => {
    const out = r.ingress!.stdout;
    assert.equal(r.ingress!.code, 0, r.ingress!.stderr);
    assert.match(out, /^Name: +shop\nNamespace: +default\nKind: +Ingress/);
    assert.ok(sectionLines(out, 'Conditions').includes('Ready | True'), out);
    assert.ok(sectionLines(out, 'Routes').includes('external | shop.example.com | /* | default/web-a:80 90%, default/web-b:80 10%'), out);
    assert.deepEqual(sectionLines(out, 'Endpoints'), [
      'CLUSTER | PROTOCOL | TYPE | ENDPOINTS',
      `default/web-a:80 | http1 | static | 127.0.0.1:${up.port}`,
      `default/web-b:80 | http1 | static | 127.0.0.1:${up.port}`,
    ]);
    assert.match(out, /^Errors: {2}<none>$/m);
  });

  it('describes an HTTPRoute and its Gateway: parents, listeners, routes', () => {
    assert.ok(sectionLines(r.httproute!.stdout, 'Parents').includes('Gateway default/gw | Accepted | True | Accepted | Route accepted'), r.httproute!.stdout);
    assert.ok(sectionLines(r.httproute!.stdout, 'Routes').some((l) => / \| app\.example\.com \| \/\* \| default\/web-a:80 100%$/.test(l)), r.httproute!.stdout);
    assert.deepEqual(sectionLines(r.gateway!.stdout, 'Listeners'), ['NAME | ATTACHED ROUTES | PROBLEMS', 'http | 1 | -']);
  });

  it('describes a Gloo Upstream with its endpoints and functions, and a VirtualService with its function routes', () => {
    assert.match(r.upstream!.stdout, /^Type: +static$/m);
    assert.deepEqual(sectionLines(r.upstream!.stdout, 'Endpoints'), ['ADDRESS', `127.0.0.1:${up.port}`]);
    assert.deepEqual(sectionLines(r.upstream!.stdout, 'Functions'), ['NAME | KIND | FOUND-BY', 'getPet | rest | spec']);
    assert.match(r.vs!.stdout, /^State: +Accepted$/m);
    const routes = sectionLines(r.vs!.stdout, 'Routes');
    assert.ok(routes.includes('external | pets.example.com | /pets/* | upstream:gloo-system/pets (rest:getPet) 100%'), r.vs!.stdout);
    assert.ok(routes.includes('external | pets.example.com | /hello | lambda:hello-world 100%'), r.vs!.stdout);
  });

  it('describes a TrafficPolicy with each target\'s outcome', () => {
    assert.deepEqual(sectionLines(r.policy!.stdout, 'Targets'), ['TARGET | TYPE | STATUS | REASON | MESSAGE', 'HTTPRoute default/app | Accepted | True | Accepted | attached']);
  });

  it('fails naming an unknown object or a kind it cannot describe', () => {
    assert.equal(r.missing!.code, 1);
    assert.equal(r.missing!.stderr, 'sluice: Ingress "nope" not found in namespace default\n');
    assert.equal(r.badKind!.code, 2);
    assert.match(r.badKind!.stderr, /describe: unknown kind "routes": one of ingress, /);
  });

  it('lists the rejected document naming the object, while its last good version still serves', async () => {
    await cfg.write('shop-edit.yaml', [ingress('shop', [{ hosts: ['shop.example.com'], paths: [{ path: 'no-slash', splits: [{ service: 'web-a' }] }] }])]);
    assert.ok(await eventually(async () => (await getJson<{ rejected: unknown[] }>(sluice.addresses.admin!, 'admin', '/status')).json.rejected.length > 0, 10_000));
    const out = (await runSluice(['describe', 'ingress', 'shop', ...admin])).stdout;
    const errors = sectionLines(out, 'Errors');
    assert.equal(errors[0], 'FILE | FIELD | MESSAGE');
    assert.match(errors[1]!, /shop-edit\.yaml:\d+ \| spec\.rules\[0\]\.http\.paths\[0\]\.path \| /);
    assert.ok(sectionLines(out, 'Routes').some((l) => l.endsWith('default/web-a:80 90%, default/web-b:80 10%')), out);
  });
});
