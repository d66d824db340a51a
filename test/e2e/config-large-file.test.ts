// A large config file is parsed off the data plane's event loop: requests keep being answered
// promptly while a 23 MB file (9,000 documents) is read, parsed, validated and taken in.
import assert from 'node:assert/strict';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { get } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';

const DOCS = 9000;

/** About 23 MB of valid Services (under the default 32 MiB and 10,000-document limits). */
function bulkServices(): string {
  const value = 'v'.repeat(180);
  const annotations = Array.from({ length: 12 }, (_, i) => `    note-${i}: "${value}"\n`).join('');
  const docs: string[] = [];
  for (let i = 0; i < DOCS; i++) {
    docs.push(`apiVersion: v1\nkind: Service\nmetadata:\n  name: bulk-${i}\n  namespace: bulk\n  annotations:\n${annotations}spec:\n  ports: [{port: 80}]\n`);
  }
  return docs.join('---\n');
}

describe('a large config file (sluice serve --config)', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let up: Upstream;

  before(async () => {
    up = await startUpstream('up');
    cfg = await ConfigDir.create();
    await cfg.write('backends.yaml', backend('up', [{ ip: '127.0.0.1', port: up.port }]));
    await cfg.write('app.yaml', [ingress('app', [{ hosts: ['app.example.com'], paths: [{ splits: [{ service: 'up' }] }] }])]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  });

  after(async () => {
    await sluice?.stop();
    await up?.close();
    await cfg?.cleanup();
  });

  it('keeps answering requests promptly while it is parsed and loaded', async () => {
    // Encoded before the requests start: encoding 23 MB would hold up this process, not Sluice.
    const bytes = Buffer.from(bulkServices());
    assert.ok(bytes.length > 22e6, `${bytes.length} bytes`);
    assert.equal((await get(sluice.addresses.http!, 'app.example.com')).status, 200);
    let loaded = false;
    const waits: number[] = [];
    const errors: string[] = [];
    const loop = async () => {
      while (!loaded) {
        const started = performance.now();
        try {
          const r = await get(sluice.addresses.http!, 'app.example.com', '/', {}, { timeoutMs: 20_000 });
          if (r.status !== 200) errors.push(`status ${r.status}`);
        } catch (err) {
          errors.push((err as Error).message);
        }
        waits.push(performance.now() - started);
      }
    };
    const loops = [loop(), loop()];
    // Written whole, then renamed into place, as an editor would.
    await writeFile(join(cfg.dir, '.bulk.yaml.tmp'), bytes);
    await rename(join(cfg.dir, '.bulk.yaml.tmp'), join(cfg.dir, 'bulk.yaml'));
    const loadStarted = performance.now();
    let loadMs = 0;
    try {
      await sluice.waitForLog((e) => e.msg === 'config loaded' && typeof e.resources === 'number' && e.resources >= DOCS, 60_000);
      loadMs = performance.now() - loadStarted;
    } finally {
      loaded = true;
      await Promise.all(loops);
    }
    assert.deepEqual(errors, []);
    const longest = Math.max(...waits);
    // Parsed in the data plane's thread, the file held every request for most of the load. Off that
    // thread, requests keep being answered all along: no single one waits for a large part of it.
    // (A ratio, not a bound in milliseconds: a busy machine slows the load and the requests alike.)
    assert.ok(longest < loadMs / 2, `longest request while loading: ${longest.toFixed(0)} ms of a ${loadMs.toFixed(0)} ms load, over ${waits.length} requests`);
  });
});
