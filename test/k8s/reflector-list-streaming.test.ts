// A Reflector decodes each list page as it arrives: every object is parsed alone and slimmed at
// once, so a page of 500 objects (with their managedFields) is never held whole, as text or as
// objects; and a page cut off mid-body, or one that is not JSON, is an error retried, not an empty list.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeApiServer } from '../support/fake-apiserver.ts';
import { KubeClient, paths, type KubeObject } from '../../src/k8s/client.ts';
import { Reflector } from '../../src/k8s/reflector.ts';
import { service, waitFor } from './helpers.ts';

const N = 400;
const managedFields = [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:annotations': { '.': {}, 'f:note': {} } }, 'f:spec': { 'f:ports': { '.': {}, 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:name': {}, 'f:port': {} } } } } }];

describe('Reflector list pages, decoded as they arrive', () => {
  let api: FakeApiServer;
  /** the kubeconfig dirs the tests made */
  const dirs: string[] = [];
  before(async () => {
    api = await FakeApiServer.start();
    for (let i = 0; i < N; i++) {
      const svc = service('app', `svc-${String(i).padStart(4, '0')}`, 80);
      svc.metadata!.managedFields = managedFields;
      api.put(svc);
    }
  });
  after(async () => {
    await api.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('parses no text longer than one object, and keeps every object slimmed', async () => {
    const parse = JSON.parse;
    let longest = 0;
    JSON.parse = (text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
      longest = Math.max(longest, text.length);
      return parse(text, reviver);
    };
    const r = new Reflector<KubeObject>(KubeClient.load(api.kubeconfigPath, { qps: 1000, burst: 1000 }), { path: paths.services(), onChange: () => {} });
    try {
      r.start();
      await r.synced;
    } finally {
      JSON.parse = parse;
      r.stop();
    }
    assert.equal(r.items().length, N);
    assert.equal(r.items()[0]!.metadata?.managedFields, undefined);
    const one = JSON.stringify(api.get('v1', 'Service', 'app', 'svc-0000')).length;
    assert.ok(longest < 2 * one, `longest text parsed ${longest} bytes; one object is ${one} (the page is ${N} objects)`);
  });

  it('a page cut off mid-body, or not JSON, is retried; the list that follows is whole', async () => {
    // A stand-in API server: the first answers are broken, then it answers properly.
    let calls = 0;
    const good = JSON.stringify({ kind: 'ServiceList', metadata: { resourceVersion: '5' }, items: [service('app', 'a', 80), service('app', 'b', 80)] });
    const server: Server = createServer((req, res) => {
      if (req.url?.includes('watch=')) return void res.writeHead(200).write('');
      calls++;
      if (calls === 1) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(good.length) });
        res.write(good.slice(0, 60));
        return void res.destroy();
      }
      if (calls === 2) return void res.writeHead(200, { 'content-type': 'application/json' }).end('<html>not json</html>');
      res.writeHead(200, { 'content-type': 'application/json' }).end(good);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const dir = mkdtempSync(join(tmpdir(), 'sluice-list-'));
    dirs.push(dir);
    const kubeconfig = join(dir, 'kubeconfig');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "${url}"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`);
    const errors: string[] = [];
    const r = new Reflector<KubeObject>(KubeClient.load(kubeconfig, { qps: 1000, burst: 1000 }), { path: paths.services(), onChange: () => {}, minBackoffMs: 10, onError: (e) => errors.push(String(e)) });
    try {
      r.start();
      await waitFor(() => r.items().length === 2, 5000, 'the list after two broken answers');
      assert.ok(calls >= 3, `${calls} list requests`);
      assert.ok(errors.some((e) => /mid-response|aborted|socket hang up|ECONNRESET/.test(e)), errors.join('\n'));
      assert.ok(errors.some((e) => /not a complete JSON object/.test(e)), errors.join('\n'));
    } finally {
      r.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
