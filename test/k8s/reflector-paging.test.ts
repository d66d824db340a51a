// A Reflector lists a large collection in pages, as client-go's does: the first list from the API
// server's watch cache (resourceVersion=0), then `continue` tokens; a token the server no longer
// honours (410 Gone: its version was compacted between pages) starts the list over, read consistently.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApiServer, type RequestRecord } from '../support/fake-apiserver.ts';
import { KubeClient, paths, type KubeObject } from '../../src/k8s/client.ts';
import { Reflector } from '../../src/k8s/reflector.ts';
import { service } from './helpers.ts';

const N = 1200;
const SERVICES = '/api/v1/services';
const listsOf = (api: FakeApiServer, from: number): RequestRecord[] => api.requests.slice(from).filter((r) => r.method === 'GET' && r.path === SERVICES && r.query.watch === undefined);

describe('Reflector lists in pages', () => {
  let api: FakeApiServer;
  const reflectors: Reflector<KubeObject>[] = [];
  before(async () => {
    api = await FakeApiServer.start();
    for (let i = 0; i < N; i++) api.put(service('app', `svc-${String(i).padStart(4, '0')}`, 80));
  });
  after(async () => {
    for (const r of reflectors) r.stop();
    await api.close();
  });

  const start = (): Reflector<KubeObject> => {
    const r = new Reflector<KubeObject>(KubeClient.load(api.kubeconfigPath, { qps: 1000, burst: 1000 }), { path: paths.services(), onChange: () => {}, minBackoffMs: 20 });
    reflectors.push(r);
    r.start();
    return r;
  };

  it('reads the first page from the watch cache, then follows continue tokens, and holds every object', async () => {
    const from = api.requests.length;
    const r = start();
    await r.synced;
    assert.equal(r.items().length, N);
    const lists = listsOf(api, from);
    assert.equal(lists.length, 3, `pages of 500: ${JSON.stringify(lists.map((l) => l.query))}`);
    assert.deepEqual(lists.map((l) => l.query.limit), ['500', '500', '500']);
    assert.equal(lists[0]!.query.resourceVersion, '0', 'the first page comes from the watch cache');
    assert.equal(lists[0]!.query.continue, undefined);
    for (const l of lists.slice(1)) {
      assert.ok(l.query.continue, 'later pages continue');
      assert.equal(l.query.resourceVersion, undefined, 'a continued page names no resourceVersion (the API server refuses both)');
    }
  });

  it('starts over with a consistent read when a continue token has expired (410 Gone)', async () => {
    const from = api.requests.length;
    let refused = 0;
    api.fault = (req) => (req.query.continue && refused++ === 0 ? 410 : undefined);
    try {
      const r = start();
      await r.synced;
      assert.equal(r.items().length, N);
    } finally {
      api.fault = undefined;
    }
    const lists = listsOf(api, from);
    assert.equal(refused, 3, 'one refused page, then two continued pages of the new list');
    const restart = lists.findIndex((l, i) => i > 0 && l.query.continue === undefined);
    assert.ok(restart > 0, `the list started over: ${JSON.stringify(lists.map((l) => l.query))}`);
    assert.equal(lists[restart]!.query.resourceVersion, undefined, 'the new list is a consistent read, not the watch cache');
  });

  it('the fake API server refuses a continue token older than its compacted history', async () => {
    const client = KubeClient.load(api.kubeconfigPath, { qps: 1000, burst: 1000 });
    const page = await client.list<KubeObject>(paths.services(), { limit: 10 });
    assert.ok(page.metadata?.continue);
    api.put(service('app', 'late', 80));
    api.compact();
    await assert.rejects(client.list(paths.services(), { limit: 10, continue: page.metadata.continue }), (err: { status?: number }) => err.status === 410);
  });
});
