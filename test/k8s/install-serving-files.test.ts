// Serving's release files as Sluice reads them: hostile or broken files are errors naming the file and
// the document, never a crash; fetching follows redirects and is bounded; a missing --manifests file and
// a wait that runs out of time each say which.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseManifestFile, manifestsVersion } from '../../src/k8s/serving/manifests.ts';
import { fetchRelease, loadServingRelease } from '../../src/k8s/serving/source.ts';
import { parseServingVersion, servingVersionSupported } from '../../src/k8s/serving/release.ts';
import { waitUntilReady, webhookServices } from '../../src/k8s/serving/wait.ts';
import type { KubeClient } from '../../src/k8s/client.ts';

describe('Serving release files', () => {
  it('parses multi-document YAML and Lists, skipping empty documents; the version comes from the namespace', () => {
    const objs = parseManifestFile('f.yaml', '---\n# nothing\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Namespace, metadata: {name: knative-serving, labels: {app.kubernetes.io/version: "1.21.3"}}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: knative-serving}\n');
    assert.deepEqual(objs.map((o) => o.kind), ['Namespace', 'ConfigMap']);
    assert.equal(manifestsVersion(objs), '1.21.3');
  });

  it('a broken document is an error naming the file and the document', () => {
    assert.throws(() => parseManifestFile('serving-core.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nkind: [unclosed\n'), /serving-core\.yaml: document 2: /);
    assert.throws(() => parseManifestFile('serving-core.yaml', 'apiVersion: v1\nmetadata: {name: a}\n'), /serving-core\.yaml: document 1: kind: required/);
    assert.throws(() => parseManifestFile('serving-core.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n'), /document 1: metadata\.name: required/);
    assert.throws(() => parseManifestFile('serving-core.yaml', '- 1\n- 2\n'), /document 1: not an object/);
    // A billion laughs is refused, not expanded.
    const bomb = 'a: &a ["x","x","x","x","x","x","x","x","x","x"]\n' + Array.from({ length: 8 }, (_, i) => `${'bcdefghi'[i]}: &${'bcdefghi'[i]} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(',')}]`).join('\n') + '\n';
    assert.throws(() => parseManifestFile('serving-core.yaml', bomb), /serving-core\.yaml: document 1/);
  });

  it('versions: v-prefixed and knative-v forms are read; the range is by minor', () => {
    assert.equal(parseServingVersion('knative-v1.20.1'), '1.20.1');
    assert.equal(parseServingVersion('v1.20.1'), '1.20.1');
    assert.equal(parseServingVersion('1.20'), undefined);
    assert.ok(servingVersionSupported('1.17.0') && servingVersionSupported('1.23.9'));
    assert.ok(!servingVersionSupported('1.16.9') && !servingVersionSupported('1.24.0') && !servingVersionSupported('2.20.0'));
  });

  it('a --manifests directory without serving-core.yaml says which file it could not read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'serving-'));
    try {
      writeFileSync(join(dir, 'serving-crds.yaml'), '');
      await assert.rejects(loadServingRelease({ kind: 'dir', dir }), /--manifests: cannot read .*serving-core\.yaml: ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('webhook Services are found once each, in order, from both kinds of webhook configuration', () => {
    const hook = (kind: string, name: string) => ({ apiVersion: 'admissionregistration.k8s.io/v1', kind, metadata: { name }, webhooks: [{ clientConfig: { service: { namespace: 'knative-serving', name: 'webhook' } } }, { clientConfig: { url: 'https://x' } }] });
    assert.deepEqual(webhookServices([hook('ValidatingWebhookConfiguration', 'a'), hook('MutatingWebhookConfiguration', 'b')]), [['knative-serving', 'webhook']]);
  });

  it('a wait that runs out of time names what was not ready', async () => {
    const never = { what: 'Deployment knative-serving/webhook Available', ready: async () => false };
    const lines: string[] = [];
    await assert.rejects(waitUntilReady({} as KubeClient, [never], Date.now() + 150, (l) => lines.push(l), 20), /timed out waiting for Deployment knative-serving\/webhook Available/);
    assert.deepEqual(lines, ['waiting for Deployment knative-serving/webhook Available'], 'said once');
  });
});

describe('fetching a release file', () => {
  let server: http.Server;
  let base: string;
  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/moved') return void res.writeHead(302, { location: '/file' }).end();
      if (req.url === '/file') return void res.end('apiVersion: v1\n');
      if (req.url === '/big') return void res.end(Buffer.alloc(4096));
      res.writeHead(404).end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('follows redirects', async () => {
    assert.equal(Buffer.from(await fetchRelease(`${base}/moved`)).toString(), 'apiVersion: v1\n');
  });
  it('refuses an answer over the size bound, an error status, and an unreachable host, each naming the URL', async () => {
    await assert.rejects(fetchRelease(`${base}/big`, 1024), /\/big: larger than 1024 bytes/);
    await assert.rejects(fetchRelease(`${base}/nope`), /cannot fetch .*\/nope: HTTP 404/);
    await assert.rejects(fetchRelease('http://127.0.0.1:1/x'), /cannot fetch http:\/\/127\.0\.0\.1:1\/x: .*--manifests DIR/);
  });
});
