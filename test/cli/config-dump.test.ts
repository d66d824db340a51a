// `sluice config dump`: the served configuration as Envoy's /config_dump lays it out; and no
// private key or AWS secret key in any admin answer or any inspection command's output.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { makeCert, tlsSecret } from '../proxy/certs.ts';
import { ingress, type ConfigDir } from '../support/config.ts';
import { get } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { type Run, runAll } from './cli-runs.ts';
import { AWS_SECRET, inspectConfig, serveArgs } from './inspect-fixture.ts';

interface Dump {
  configs: Array<Record<string, unknown> & { '@type': string }>;
}

describe('sluice config dump', () => {
  let up: Upstream;
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let keyLine: string;
  let r: Record<string, Run>;

  before(async () => {
    up = await startUpstream('up');
    ({ cfg } = await inspectConfig(up.port));
    const pair = makeCert(cfg.dir, 'secure', ['secure.example.com']);
    // A line from the middle of the key's base64: present wherever the key (or its PEM) is.
    keyLine = pair.key.split('\n')[2]!;
    await cfg.write('tls.yaml', [
      tlsSecret('secure-tls', pair),
      ingress('secure', [{ hosts: ['secure.example.com'], paths: [{ splits: [{ service: 'web-a' }] }] }], { tls: [{ hosts: ['secure.example.com'], secretName: 'secure-tls', secretNamespace: 'default' }] }),
    ]);
    sluice = await startSluice(serveArgs(cfg.dir));
    const admin = ['--admin', sluice.addresses.admin!];
    r = await runAll({
      dump: ['config', 'dump', ...admin],
      clusters: ['config', 'dump', '--resource', 'clusters', '-o', 'yaml', ...admin],
      check: ['check', ...admin],
      describeIngress: ['describe', 'ingress', 'secure', ...admin],
      describeLambda: ['describe', 'upstream', 'lambda', '-n', 'gloo-system', ...admin],
      describeVs: ['describe', 'vs', 'pets', '-n', 'gloo-system', ...admin],
      ...Object.fromEntries(['ingresses', 'routes', 'upstreams', 'functions', 'virtualservices', 'httproutes', 'gateways', 'trafficpolicies'].map((k) => [k, ['get', k, '-A', '-o', 'json', ...admin]])),
    });
  });
  after(async () => {
    await sluice?.stop();
    await up?.close();
    await cfg?.cleanup();
  });

  it('prints listeners, routes, clusters, endpoints and secrets as envoy.admin.v3 config dumps', () => {
    assert.equal(r.dump!.code, 0, r.dump!.stderr);
    const dump = JSON.parse(r.dump!.stdout) as Dump;
    assert.deepEqual(
      dump.configs.map((c) => c['@type']),
      ['Listeners', 'Routes', 'Clusters', 'Endpoints', 'Secrets'].map((k) => `type.googleapis.com/envoy.admin.v3.${k}ConfigDump`),
    );
    const [listeners, routes, clusters, endpoints, secrets] = dump.configs as unknown as [
      { dynamic_listeners: { name: string; active_state: { listener: { '@type': string } } }[] },
      { dynamic_route_configs: { route_config: { virtual_hosts?: { domains: string[] }[] } }[] },
      { dynamic_active_clusters: { cluster: { name: string } }[] },
      { dynamic_endpoint_configs: { endpoint_config: { cluster_name: string; endpoints: { lb_endpoints: { endpoint: { address: { socket_address: { port_value: number } } } }[] }[] } }[] },
      { dynamic_active_secrets: { name: string; secret: { tls_certificate: { private_key: unknown; certificate_chain: unknown } } }[] },
    ];
    assert.ok(listeners.dynamic_listeners.some((l) => l.name === 'external' && l.active_state.listener['@type'] === 'type.googleapis.com/envoy.config.listener.v3.Listener'));
    assert.ok(routes.dynamic_route_configs.some((c) => c.route_config.virtual_hosts?.some((v) => v.domains.includes('shop.example.com'))));
    assert.ok(clusters.dynamic_active_clusters.some((c) => c.cluster.name === 'default/web-a:80'));
    const webA = endpoints.dynamic_endpoint_configs.find((e) => e.endpoint_config.cluster_name === 'default/web-a:80')!;
    assert.equal(webA.endpoint_config.endpoints[0]!.lb_endpoints[0]!.endpoint.address.socket_address.port_value, up.port);
    const secret = secrets.dynamic_active_secrets.find((s) => s.name === 'default/secure-tls')!;
    assert.equal(secret.secret.tls_certificate.private_key, '[redacted]');
    assert.ok(secret.secret.tls_certificate.certificate_chain, 'the certificate itself is public');
  });

  it('--resource picks one part, -o yaml prints YAML', () => {
    assert.equal(r.clusters!.code, 0, `exit ${r.clusters!.code}: ${r.clusters!.stderr}`);
    const dump = parse(r.clusters!.stdout) as Dump;
    assert.deepEqual(dump.configs.map((c) => c['@type']), ['type.googleapis.com/envoy.admin.v3.ClustersConfigDump']);
  });

  it('shows no private key and no AWS secret key in any admin answer or CLI output', async () => {
    const answers: Record<string, string> = {};
    for (const path of ['/', '/status', '/config', '/config_dump', '/upstreams', '/metrics', '/ready', '/live']) answers[path] = (await get(sluice.addresses.admin!, 'admin', path)).body;
    for (const [name, run] of Object.entries(r)) answers[`sluice ${name}`] = run.stdout + run.stderr;
    // The dump, at least, shows the certificate these keys belong to: the check looks at real output.
    assert.match(answers['/config_dump']!, /BEGIN CERTIFICATE/);
    for (const [where, text] of Object.entries(answers)) {
      assert.ok(!text.includes(keyLine), `${where} shows the TLS private key`);
      assert.ok(!text.includes('PRIVATE KEY'), `${where} shows a PEM private key`);
      assert.ok(!text.includes(AWS_SECRET), `${where} shows the AWS secret key`);
    }
  });
});
