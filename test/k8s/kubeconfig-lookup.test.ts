// `serve --kubernetes` and `install knative --apply` find credentials the same way: --kubeconfig, else
// $KUBECONFIG, else ~/.kube/config, else the in-cluster service account; with none of them, each exits
// at once with one clear line (it used to log "Invalid URL" and hang with /ready at 503).
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeApiServer } from '../support/fake-apiserver.ts';
import { runSluice, startSluice, type SluiceProcess } from '../support/sluice.ts';
import { waitFor } from './helpers.ts';

const serveArgs = ['serve', '--kubernetes', '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--lease-duration', '3'];

describe('kubeconfig lookup (serve --kubernetes and install knative --apply)', () => {
  let api: FakeApiServer;
  const dirs: string[] = [];
  const procs: SluiceProcess[] = [];
  /** an environment with no credentials anywhere but what the test adds: HOME is an empty temp dir */
  const env = (over: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
    const home = mkdtempSync(join(tmpdir(), 'sluice-home-'));
    dirs.push(home);
    return { HOME: home, KUBECONFIG: undefined, KUBERNETES_SERVICE_HOST: undefined, KUBERNETES_SERVICE_PORT: undefined, ...over };
  };
  const ready = async (p: SluiceProcess): Promise<boolean> => (await fetch(`http://${p.addresses.admin}/ready`)).status === 200;

  before(async () => {
    api = await FakeApiServer.start();
  });
  after(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await api.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('serve --kubernetes reads ~/.kube/config', async () => {
    const e = env();
    mkdirSync(join(e.HOME!, '.kube'));
    copyFileSync(api.kubeconfigPath, join(e.HOME!, '.kube', 'config'));
    const p = await startSluice(serveArgs, ['http', 'local', 'admin'], { env: e, boundMs: 30_000 });
    procs.push(p);
    await waitFor(() => ready(p), 15_000, '/ready 200 with credentials from ~/.kube/config');
  });

  it('serve --kubernetes reads $KUBECONFIG (before ~/.kube/config)', async () => {
    const e = env({ KUBECONFIG: api.kubeconfigPath });
    mkdirSync(join(e.HOME!, '.kube'));
    // A ~/.kube/config that would fail: $KUBECONFIG must win.
    copyFileSync(new URL(import.meta.url), join(e.HOME!, '.kube', 'config'));
    const p = await startSluice(serveArgs, ['http', 'local', 'admin'], { env: e, boundMs: 30_000 });
    procs.push(p);
    await waitFor(() => ready(p), 15_000, '/ready 200 with credentials from $KUBECONFIG');
  });

  it('serve --kubernetes with no credentials anywhere exits at once with one clear line', async () => {
    const { code, stderr } = await runSluice(serveArgs, { env: env(), boundMs: 20_000 });
    assert.equal(code, 1, stderr);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, /no Kubernetes credentials/);
    assert.match(stderr, /--kubeconfig/);
    assert.match(stderr, /KUBECONFIG/);
    assert.match(stderr, /\.kube\/config/);
    assert.doesNotMatch(stderr, /Invalid URL/);
  });

  it('install knative --apply with no credentials anywhere exits with the same line', async () => {
    const { code, stderr } = await runSluice(['install', 'knative', '--apply'], { env: env(), boundMs: 20_000 });
    assert.equal(code, 1, stderr);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, /no Kubernetes credentials/);
  });
});
