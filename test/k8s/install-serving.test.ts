// `sluice install knative` installing Knative Serving too, against the fake API server: from a local
// --manifests directory of small Serving-shaped manifests (test/fixtures/serving-manifests), the CRDs,
// then the core, in order; waiting until Serving's Deployments are Available and its webhook Service has
// ready endpoints (the test flips both while the install waits); then Sluice; then config-network's
// `ingress-class` by merge patch. `uninstall knative` removes exactly that; --dry-run prints the same
// objects and writes nothing; a wrong sha256 or an unsupported Serving applies nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { parseAllDocuments } from 'yaml';
import { FakeApiServer, type KObject } from '../support/fake-apiserver.ts';
import { runSluice } from '../support/sluice.ts';
import { runInstallKnative, type InstallFlags } from '../../src/cli/commands/install.ts';
import { runUninstallKnative } from '../../src/cli/commands/uninstall.ts';
import { slice, waitFor } from './helpers.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/serving-manifests/', import.meta.url));
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const sha = (file: string) => createHash('sha256').update(readFileSync(`${FIXTURES}${file}`)).digest('hex');

type Ref = string; // "Kind ns/name" or "Kind name"
const ref = (o: KObject): Ref => `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;

async function capture(run: (out: PassThrough) => Promise<void>): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await run(out);
  return Buffer.concat(chunks).toString('utf8');
}

function deploymentAvailable(api: FakeApiServer, name: string): void {
  const d = api.get('apps/v1', 'Deployment', 'knative-serving', name)!;
  api.putStatus({ ...d, status: { conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }] } });
}

/** The path of every write the fake saw, in order, from `from` on. */
function writes(api: FakeApiServer, from = 0): Array<{ method: string; path: string; contentType?: string }> {
  return api.requests.slice(from).filter((r) => WRITES.has(r.method));
}

describe('install knative installs Knative Serving', () => {
  let api: FakeApiServer;
  const flags = (over: Partial<InstallFlags> = {}): InstallFlags => ({
    namespace: 'gw',
    image: 'registry.example/sluice:1.2.3',
    replicas: '2',
    ingressClass: 'sluice.ingress.networking.knative.dev',
    kubeconfig: api.kubeconfigPath,
    manifests: FIXTURES,
    timeout: '30s',
    wait: true,
    ...over,
  });
  let dryRunRefs: Ref[] = [];

  before(async () => {
    api = await FakeApiServer.start();
    // Not the install's: must survive install and uninstall.
    api.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
    api.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep', namespace: 'apps' }, data: { a: 'b' } });
  });
  after(async () => {
    await api.close();
  });

  it('a wrong sha256 applies nothing and names the file', async () => {
    const before = api.requests.length;
    await assert.rejects(capture((out) => runInstallKnative(flags({ apply: true, sha256: `crds=${sha('serving-crds.yaml')},core=${'0'.repeat(64)}` }), out)), (err: Error) => {
      assert.match(err.message, /serving-core\.yaml/);
      assert.match(err.message, /sha256/);
      assert.match(err.message, /nothing was applied/);
      return true;
    });
    assert.deepEqual(writes(api, before), []);
  });

  it('--dry-run prints Serving (CRDs, then core), Sluice and config-network, and writes nothing', async () => {
    const before = api.requests.length;
    const text = await capture((out) => runInstallKnative(flags({ dryRun: true }), out));
    assert.deepEqual(writes(api, before), [], 'nothing written');
    const objs = parseAllDocuments(text).map((d) => d.toJS() as KObject).filter(Boolean);
    dryRunRefs = objs.map(ref);
    assert.equal(dryRunRefs[0], 'CustomResourceDefinition images.caching.internal.knative.dev');
    assert.equal(dryRunRefs[1], 'CustomResourceDefinition ingresses.networking.internal.knative.dev');
    assert.equal(dryRunRefs[2], 'Namespace knative-serving');
    assert.ok(dryRunRefs.indexOf('ValidatingWebhookConfiguration config.webhook.serving.knative.dev') < dryRunRefs.indexOf('Namespace gw'));
    assert.ok(dryRunRefs.includes('Deployment gw/sluice'));
    assert.equal(dryRunRefs.at(-1), 'ConfigMap knative-serving/config-network');
    assert.deepEqual(objs.at(-1)!.data, { 'ingress-class': 'sluice.ingress.networking.knative.dev' }, 'config-network: only the one key');
    // -o json: the same objects, as a List.
    const json = JSON.parse(await capture((out) => runInstallKnative(flags({ dryRun: true, output: 'json' }), out))) as { kind: string; items: KObject[] };
    assert.equal(json.kind, 'List');
    assert.deepEqual(json.items.map(ref), dryRunRefs);
  });

  it('--apply: Serving in order, waits for its Deployments and webhook endpoints, then Sluice, then patches config-network', async () => {
    const before = api.requests.length;
    const run = capture((out) => runInstallKnative(flags({ apply: true }), out));
    let failed: unknown;
    run.catch((e: unknown) => (failed = e));
    const polled = (path: string) => api.requests.slice(before).some((r) => r.method === 'GET' && r.path === path);
    // Waiting for the Deployments: Sluice is not installed meanwhile.
    await waitFor(() => failed !== undefined || polled('/apis/apps/v1/namespaces/knative-serving/deployments/controller'), 10_000, 'the install polls the controller Deployment');
    assert.equal(failed, undefined, String(failed));
    assert.equal(api.get('v1', 'Namespace', undefined, 'gw'), undefined, 'Sluice waits for Serving');
    deploymentAvailable(api, 'controller');
    deploymentAvailable(api, 'webhook');
    // Then for the webhook Service's endpoints.
    await waitFor(() => failed !== undefined || polled('/apis/discovery.k8s.io/v1/namespaces/knative-serving/endpointslices'), 10_000, 'the install looks for the webhook endpoints');
    assert.equal(api.get('v1', 'Namespace', undefined, 'gw'), undefined, 'Sluice waits for the webhook endpoints');
    api.put(slice('knative-serving', 'webhook-abcde', 'webhook', ['10.0.0.7'], 8443, 'https-webhook'));
    const text = await run;
    assert.match(text, /Knative Serving 1\.20\.0/);

    const w = writes(api, before);
    const applied = w.filter((r) => r.contentType === 'application/apply-patch+yaml');
    const idx = (suffix: string) => applied.findIndex((r) => r.path.endsWith(suffix));
    assert.ok(idx('/customresourcedefinitions/images.caching.internal.knative.dev') === 0, 'CRDs first');
    assert.ok(idx('/customresourcedefinitions/ingresses.networking.internal.knative.dev') < idx('/api/v1/namespaces/knative-serving'));
    assert.ok(idx('/namespaces/knative-serving/images/queue-proxy') > 0, 'a custom resource, mapped by discovery');
    assert.ok(idx('/validatingwebhookconfigurations/config.webhook.serving.knative.dev') < idx('/api/v1/namespaces/gw'));
    assert.ok(idx('/namespaces/gw/deployments/sluice') > 0);
    // Every object the dry run printed was applied, in the same order (config-network aside: patched).
    const last = w.at(-1)!;
    assert.equal(last.path, '/api/v1/namespaces/knative-serving/configmaps/config-network');
    assert.equal(last.contentType, 'application/merge-patch+json');
    assert.equal(applied.length, dryRunRefs.length - 1, 'as many applies as objects printed, less config-network');
    const cn = api.get('v1', 'ConfigMap', 'knative-serving', 'config-network') as { data: Record<string, string> };
    assert.equal(cn.data['ingress-class'], 'sluice.ingress.networking.knative.dev');
    assert.equal(cn.data['domain-template'], '{{.Name}}.{{.Namespace}}.{{.Domain}}', 'other keys kept');
    assert.ok(api.get('caching.internal.knative.dev/v1alpha1', 'Image', 'knative-serving', 'queue-proxy'));
  });

  it('a second install finds the Serving it installed, says which version, and applies only Sluice', async () => {
    const before = api.requests.length;
    const text = await capture((out) => runInstallKnative(flags({ apply: true, manifests: undefined }), out));
    assert.match(text, /Knative Serving 1\.20\.0 is installed/);
    assert.equal(writes(api, before).filter((r) => r.path.includes('knative-serving') && !r.path.endsWith('/config-network')).length, 0, 'Serving not applied again');
  });

  it('uninstall removes exactly what the install created, in reverse order', async () => {
    const before = api.requests.length;
    const text = await capture((out) => runUninstallKnative({ namespace: 'gw', kubeconfig: api.kubeconfigPath }, out));
    const deletes = writes(api, before).filter((r) => r.method === 'DELETE').map((r) => r.path);
    const at = (suffix: string) => deletes.findIndex((p) => p.endsWith(suffix));
    assert.ok(at('/namespaces/gw/deployments/sluice') >= 0 && at('/namespaces/gw/deployments/sluice') < at('/api/v1/namespaces/gw'), text);
    assert.ok(at('/api/v1/namespaces/gw') < at('/validatingwebhookconfigurations/config.webhook.serving.knative.dev'), 'Sluice before Serving');
    assert.ok(at('/api/v1/namespaces/knative-serving') < at('/customresourcedefinitions/images.caching.internal.knative.dev'), 'the CRDs last');
    for (const [v, k, ns, n] of [
      ['apps/v1', 'Deployment', 'gw', 'sluice'],
      ['rbac.authorization.k8s.io/v1', 'ClusterRole', undefined, 'sluice'],
      ['v1', 'Namespace', undefined, 'gw'],
      ['apps/v1', 'Deployment', 'knative-serving', 'webhook'],
      ['admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', undefined, 'config.webhook.serving.knative.dev'],
      ['v1', 'Namespace', undefined, 'knative-serving'],
      ['apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, 'ingresses.networking.internal.knative.dev'],
    ] as const) assert.equal(api.get(v, k, ns, n), undefined, `${k} ${n} deleted`);
    assert.ok(api.get('v1', 'ConfigMap', 'apps', 'keep'), 'other objects stay');
    assert.ok(api.get('v1', 'Namespace', undefined, 'apps'));
  });
});

describe('install knative with Knative Serving already there', () => {
  let api: FakeApiServer;
  before(async () => {
    api = await FakeApiServer.start();
  });
  after(async () => {
    await api.close();
  });
  const serving = (version: string) => {
    api.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'knative-serving', labels: { 'app.kubernetes.io/version': version } } });
    api.put({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'ingresses.networking.internal.knative.dev' } });
  };

  it('an unsupported Serving version is refused with one line, and nothing is applied', async () => {
    serving('1.9.2');
    const r = await runSluice(['install', 'knative', '--apply', '--kubeconfig', api.kubeconfigPath], { boundMs: 30_000 });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /Knative Serving 1\.9\.2 .*not supported.*1\.17.*1\.23/);
    assert.deepEqual(writes(api), []);
  });

  it('a supported one is named and kept; uninstall removes only ingress-class from config-network and leaves Serving', async () => {
    serving('1.21.0');
    api.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'config-network', namespace: 'knative-serving' }, data: { 'ingress-class': 'kourier.ingress.networking.knative.dev', 'domain-template': 'x' } });
    const args = ['--kubeconfig', api.kubeconfigPath, '-n', 'edge'];
    const r = await runSluice(['install', 'knative', '--apply', ...args], { boundMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Knative Serving 1\.21\.0 is installed/);
    assert.ok(api.get('apps/v1', 'Deployment', 'edge', 'sluice'));
    assert.deepEqual((api.get('v1', 'ConfigMap', 'knative-serving', 'config-network') as { data: object }).data, { 'ingress-class': 'sluice.ingress.networking.knative.dev', 'domain-template': 'x' });
    const u = await runSluice(['uninstall', 'knative', ...args], { boundMs: 30_000 });
    assert.equal(u.code, 0, u.stderr);
    assert.equal(api.get('apps/v1', 'Deployment', 'edge', 'sluice'), undefined);
    assert.deepEqual((api.get('v1', 'ConfigMap', 'knative-serving', 'config-network') as { data: object }).data, { 'domain-template': 'x' });
    assert.ok(api.get('v1', 'Namespace', undefined, 'knative-serving'), 'Serving stays: Sluice did not install it');
    assert.ok(api.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, 'ingresses.networking.internal.knative.dev'));
  });

  it('uninstall deletes only recorded objects labelled as Knative Serving\'s: a tampered record cannot widen it', async () => {
    api.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod' } });
    api.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'db', namespace: 'prod' }, data: { a: 'b' } });
    const refs = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod' } }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'db', namespace: 'prod' } }];
    api.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'sluice-installed-serving', namespace: 'knative-serving' }, data: { version: '1.21.0', objects: JSON.stringify(refs) } });
    const text = await capture((out) => runUninstallKnative({ namespace: 'edge', kubeconfig: api.kubeconfigPath, ingressClass: 'none' }, out));
    assert.ok(api.get('v1', 'Namespace', undefined, 'prod'), text);
    assert.ok(api.get('v1', 'ConfigMap', 'prod', 'db'), text);
    assert.match(text, /Namespace prod left: not labelled app\.kubernetes\.io\/name=knative-serving/);
    assert.equal(api.get('v1', 'ConfigMap', 'knative-serving', 'sluice-installed-serving'), undefined, 'the record itself goes');
  });

  it('uninstall leaves an ingress-class that no longer names Sluice', async () => {
    const cm = api.get('v1', 'ConfigMap', 'knative-serving', 'config-network')!;
    api.put({ ...cm, data: { 'ingress-class': 'kourier.ingress.networking.knative.dev' } });
    const u = await runSluice(['uninstall', 'knative', '--kubeconfig', api.kubeconfigPath, '-n', 'edge'], { boundMs: 30_000 });
    assert.equal(u.code, 0, u.stderr);
    assert.deepEqual((api.get('v1', 'ConfigMap', 'knative-serving', 'config-network') as { data: object }).data, { 'ingress-class': 'kourier.ingress.networking.knative.dev' });
  });
});

describe('install knative: Serving version and manifest flags', () => {
  let api: FakeApiServer;
  before(async () => {
    api = await FakeApiServer.start();
  });
  after(async () => {
    await api.close();
  });
  const base: InstallFlags = { namespace: 'gw', image: 'registry.example/sluice:1.2.3', replicas: '2', ingressClass: 'sluice.ingress.networking.knative.dev', dryRun: true, kubeconfig: '/nonexistent' };

  it('--serving-version outside the supported range is refused before anything else', async () => {
    await assert.rejects(capture((out) => runInstallKnative({ ...base, servingVersion: '1.16.3' }, out)), /--serving-version: 1\.16\.3 is not supported \(supported: 1\.17 to 1\.23\)/);
    await assert.rejects(capture((out) => runInstallKnative({ ...base, servingVersion: 'latest' }, out)), /--serving-version: "latest" is not a version/);
  });

  it('an installed Serving built from source (version label `devel`) is named, not refused', async () => {
    api.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'knative-serving', labels: { 'app.kubernetes.io/version': 'devel' } } });
    api.put({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'ingresses.networking.internal.knative.dev' } });
    try {
      const text = await capture((out) => runInstallKnative({ ...base, kubeconfig: api.kubeconfigPath }, out));
      assert.match(text, /^# Knative Serving devel is installed \(not a release version, so not checked\); not installing it$/m);
    } finally {
      api.remove('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, 'ingresses.networking.internal.knative.dev');
      api.remove('v1', 'Namespace', undefined, 'knative-serving');
    }
  });

  it('bad Serving flags are refused when printing too, not only with --apply', async () => {
    await assert.rejects(capture((out) => runInstallKnative({ ...base, dryRun: false, servingVersion: '2.0.0' }, out)), /--serving-version: 2\.0\.0 is not supported/);
    await assert.rejects(capture((out) => runInstallKnative({ ...base, dryRun: false, timeout: '0s' }, out)), /--timeout: "0s"/);
  });

  it('a version without a pinned sha256 needs --manifests or --sha256, and the error says so', async () => {
    await assert.rejects(capture((out) => runInstallKnative({ ...base, kubeconfig: api.kubeconfigPath, servingVersion: '1.18.0' }, out)), /no pinned sha256 for Knative Serving 1\.18\.0: pass --manifests DIR or --sha256 crds=HEX,core=HEX/);
  });

  it('bad --sha256, --timeout and -o are refused with one clear message', async () => {
    await assert.rejects(capture((out) => runInstallKnative({ ...base, sha256: 'crds=abc' }, out)), /--sha256: /);
    await assert.rejects(capture((out) => runInstallKnative({ ...base, timeout: 'soon' }, out)), /--timeout: "soon"/);
    await assert.rejects(capture((out) => runInstallKnative({ ...base, output: 'xml' }, out)), /-o: "xml"/);
  });
});
