// `sluice install knative --apply --skip-serving` checks that Knative Serving is there (the knative-serving
// namespace and the KIngress CRD) before it applies anything: a cluster without it gets one line naming what
// is missing, a non-zero exit and no object at all (it used to stop after 9 of 10 objects). Without
// --skip-serving, install knative installs Serving itself (install-serving.test.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeApiServer } from '../support/fake-apiserver.ts';
import { runSluice } from '../support/sluice.ts';

const KINGRESS_CRD = 'ingresses.networking.internal.knative.dev';
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

describe('install knative --apply --skip-serving preconditions', () => {
  let api: FakeApiServer;
  const apply = () => runSluice(['install', 'knative', '--apply', '--skip-serving', '--kubeconfig', api.kubeconfigPath, '--namespace', 'edge'], { boundMs: 30_000 });
  const writes = () => api.requests.filter((r) => WRITES.has(r.method));

  before(async () => {
    api = await FakeApiServer.start();
  });
  after(async () => {
    await api.close();
  });

  it('without Knative Serving: one line naming the namespace and the CRD, exit 1, nothing created', async () => {
    const { code, stderr } = await apply();
    assert.equal(code, 1, stderr);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, /knative-serving namespace/);
    assert.match(stderr, new RegExp(KINGRESS_CRD.replaceAll('.', '\\.')));
    assert.match(stderr, /nothing was applied/);
    assert.deepEqual(writes(), [], 'no write reached the API server');
    assert.equal(api.get('v1', 'Namespace', undefined, 'edge'), undefined);
  });

  it('with the namespace but not the CRD: names only the CRD', async () => {
    api.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'knative-serving' } });
    const { code, stderr } = await apply();
    assert.equal(code, 1, stderr);
    assert.match(stderr, new RegExp(KINGRESS_CRD.replaceAll('.', '\\.')));
    assert.doesNotMatch(stderr, /namespace/);
    assert.deepEqual(writes(), []);
  });

  it('with Knative Serving installed: applies everything, every write named sluice (User-Agent and fieldManager)', async () => {
    api.put({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: KINGRESS_CRD } });
    const { code, stdout, stderr } = await apply();
    assert.equal(code, 0, stderr);
    // Sluice's 15 objects and the CRDs of its 2 policy kinds.
    assert.equal(stdout.trim().split('\n').length, 17, stdout);
    assert.ok(api.get('apps/v1', 'Deployment', 'edge', 'sluice'));
    assert.ok(writes().length >= 17);
    for (const w of writes()) {
      assert.match(w.userAgent ?? '', /^sluice\/\d+\.\d+\.\d+ \(/, `${w.method} ${w.path} User-Agent`);
      assert.equal(w.query.fieldManager, 'sluice', `${w.method} ${w.path} fieldManager`);
    }
  });
});
