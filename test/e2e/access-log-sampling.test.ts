// Access log sampling and the per-listener switch through the real `sluice serve`: with
// `--access-log-sample-rate 0` only failures are logged; `--access-log-listeners local` logs the
// local listener alone (no line for --http, not even a failure's); bad values end `serve` with one
// line naming the flag, with and without --workers.
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually, get } from '../support/http.ts';
import { type SluiceProcess, runSluice, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';

type Line = Record<string, unknown>;

async function lines(file: string): Promise<Line[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Line);
}

/** Waits (bounded) for the line of `path`; every line written before it is then in the file too. */
async function linesUpTo(file: string, path: string): Promise<Line[]> {
  let all: Line[] = [];
  const found = await eventually(async () => (all = await lines(file)).some((l) => l.path === path), 10_000);
  assert.ok(found, `no access log line for ${path}`);
  return all;
}

describe('access log sampling and listeners', () => {
  let upstream: Upstream;
  let config: ConfigDir;
  let sluice: SluiceProcess;
  let file: string;

  before(async () => {
    upstream = await startUpstream('ok');
    config = await ConfigDir.create();
    await config.write('routes.yaml', [
      ingress('ok', [{ hosts: ['ok.example.com'], paths: [{ splits: [{ service: 'ok' }] }] }]),
      ingress('empty', [{ hosts: ['empty.example.com'], paths: [{ splits: [{ service: 'empty' }] }] }]),
      ...backend('ok', [{ ip: '127.0.0.1', port: upstream.port }]),
      ...backend('empty', []),
    ]);
    file = join(config.dir, '..', `sluice-access-sampling-${process.pid}-${Date.now()}.log`);
    sluice = await startSluice([
      'serve', '--config', config.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0',
      '--access-log', file, '--access-log-flush-interval', '50', '--access-log-sample-rate', '0', '--access-log-listeners', 'local',
    ]);
    assert.ok(await eventually(async () => (await get(sluice.addresses.local!, 'ok.example.com', '/warm-up')).status === 200, 10_000));
  });
  after(async () => {
    await sluice?.stop();
    await upstream?.close();
    await config?.cleanup();
    await rm(file, { force: true });
  });

  it('at rate 0 a 200 is not logged, a 503 (UH) and a 404 (NR) are', async () => {
    assert.equal((await get(sluice.addresses.local!, 'ok.example.com', '/fine')).status, 200);
    assert.equal((await get(sluice.addresses.local!, 'nowhere.example.com', '/no-route')).status, 404);
    assert.equal((await get(sluice.addresses.local!, 'empty.example.com', '/no-endpoints')).status, 503);
    const all = await linesUpTo(file, '/no-endpoints');
    assert.equal(all.find((l) => l.path === '/no-route')?.flags, 'NR');
    assert.equal(all.find((l) => l.path === '/no-endpoints')?.flags, 'UH');
    assert.deepEqual(all.filter((l) => l.status === 200), [], 'no ordinary line at rate 0');
  });

  it('a listener left out logs nothing, not even failures', async () => {
    assert.equal((await get(sluice.addresses.http!, 'empty.example.com', '/on-http')).status, 503);
    assert.equal((await get(sluice.addresses.local!, 'empty.example.com', '/on-local')).status, 503);
    const all = await linesUpTo(file, '/on-local');
    assert.equal(all.some((l) => l.path === '/on-http'), false);
    assert.ok(all.every((l) => l.listener === 'local'));
  });
});

describe('access log filter flags', () => {
  it('a bad sample rate or listener name ends serve with one line naming the flag', async () => {
    const config = await ConfigDir.create();
    try {
      const cases = [['--access-log-sample-rate', '1.5', '1', '"1.5"'], ['--access-log-listeners', 'http,web', '1', '"web"'], ['--access-log-sample-rate', 'x', '2', '"x"']] as const;
      for (const [flag, value, workers, named] of cases) {
        const r = await runSluice(['serve', '--config', config.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--https', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--access-log', '-', flag, value, '--workers', workers], { boundMs: 30_000 });
        assert.notEqual(r.code, 0, `${flag} ${value} --workers ${workers}`);
        assert.ok(r.stderr.includes(`${flag}: ${named}`), r.stderr);
        assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      }
    } finally {
      await config.cleanup();
    }
  });
});
