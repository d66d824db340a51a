// `serve --kubernetes` talks to the API server with Sluice's own kubeconfig loader, requests and
// watches: loading @kubernetes/client-node (for its KubeConfig and Watch) pulled in its whole generated
// API, about 75 MiB of RSS and seconds of start-up. The child records every module it resolves.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { FakeApiServer } from '../support/fake-apiserver.ts';
import { startSluice, type SluiceProcess } from '../support/sluice.ts';
import { waitFor } from './helpers.ts';

describe('serve --kubernetes module graph', () => {
  let api: FakeApiServer;
  let dir: string;
  let p: SluiceProcess | undefined;
  before(async () => {
    api = await FakeApiServer.start();
    dir = mkdtempSync(join(tmpdir(), 'sluice-imports-'));
  });
  after(async () => {
    await p?.stop('SIGKILL');
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('becomes ready without loading @kubernetes/client-node', async () => {
    const log = join(dir, 'imports.log');
    const hook = pathToFileURL(join(import.meta.dirname, 'record-imports.mjs')).href;
    p = await startSluice(
      ['serve', '--kubernetes', '--kubeconfig', api.kubeconfigPath, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--lease-duration', '3'],
      ['http', 'local', 'admin'],
      // The sources through tsx, not the runner's compiled CLI: the test looks for src/k8s/client.ts.
      { env: { SLUICE_IMPORT_LOG: log, SLUICE_TEST_CLI: '' }, nodeArgs: ['--import', hook], boundMs: 30_000 },
    );
    await waitFor(async () => (await fetch(`http://${p!.addresses.admin}/ready`)).status === 200, 20_000, '/ready 200');
    const urls = readFileSync(log, 'utf8').split('\n');
    assert.ok(urls.some((u) => u.includes('/src/k8s/client.ts')), 'the hook saw the Kubernetes client load');
    assert.deepEqual(urls.filter((u) => u.includes('@kubernetes/client-node')), []);
  });
});
