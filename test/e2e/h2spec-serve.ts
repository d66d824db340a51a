// The h2spec run against `sluice serve` that h2spec.test.ts (node:http2 engine) and
// h2spec-own.test.ts (own engine) share: each file stays under the runner's per-file timeout.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { get } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { makeCert, tlsSecret } from '../proxy/certs.ts';
import { type LateUpstream, startLateH1, startLateH2c } from '../proxy/late-upstreams.ts';
import { portOf } from '../proxy/proc-fds.ts';
import { findH2spec, H2SPEC_MISSING, runH2spec } from '../support/h2spec.ts';

const HOST = 'localhost';

const h2spec = findH2spec();

export type Run = readonly [name: string, listener: 'http' | 'https', path: string, tlsArgs: readonly string[], floor: string];
export const LATE_RUNS: readonly Run[] = [
  ['h2c on --http, HTTP/1.1 upstream', 'http', '/', [], 'http'],
  ['h2 on --https, h2c upstream', 'https', '/h2c/', ['-t', '-k'], 'https'],
];
export const QUICK_RUNS: readonly Run[] = [
  ['h2c on --http, quick HTTP/1.1 upstream', 'http', '/quick', [], 'http-quick'],
  ['h2 on --https, quick HTTP/1.1 upstream', 'https', '/quick', ['-t', '-k'], 'https-quick'],
];

export function h2specSuite(engine: 'own' | 'node', RECORDED_PASSES: Readonly<Record<string, number>>, runs: readonly Run[]): void {
  describe(`h2spec conformance (sluice serve --h2-engine ${engine})`, { skip: h2spec ? false : H2SPEC_MISSING }, () => {
    let dir: string;
    let cfg: ConfigDir;
    let sluice: SluiceProcess;
    let h1: LateUpstream;
    let h2c: LateUpstream;

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'sluice-h2spec-'));
      const cert = makeCert(dir, 'localhost', [HOST]);
      h1 = await startLateH1(300);
      h2c = await startLateH2c(300);
      cfg = await ConfigDir.create();
      await cfg.write('all.yaml', [
        ...backend('h1', [{ ip: '127.0.0.1', port: h1.port }]),
        ...backend('h2c', [{ ip: '127.0.0.1', port: h2c.port }], { portName: 'h2c' }),
        tlsSecret('localhost-cert', cert),
        ingress('h2spec', [{ hosts: [HOST], paths: [{ path: '/h2c', splits: [{ service: 'h2c' }] }, { splits: [{ service: 'h1' }] }] }], { tls: [{ hosts: [HOST], secretName: 'localhost-cert' }] }),
      ]);
      sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0',
        '--client-body-timeout', '1', '--idle-timeout', '5', '--h2-engine', engine], ['http', 'https', 'local', 'admin']);
    });

    after(async () => {
      await sluice?.stop();
      await h1?.close();
      await h2c?.close();
      await cfg?.cleanup();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    // Each run takes about 30 s (h2spec waits out its timeout on the cases nghttp2 answers differently).
    for (const [name, listener, path, tlsArgs, floor] of runs) {
      it(`passes at least ${RECORDED_PASSES[floor]} of 146 cases and survives: ${name}`, async (t) => {
        const r = await runH2spec(h2spec!, ['-h', HOST, '-p', String(portOf(sluice.addresses[listener]!)), '-P', path, ...tlsArgs], join(dir, `report-${listener}.xml`));
        t.diagnostic(`h2spec: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped; failed: ${r.failures.join('; ')}`);
        assert.equal(sluice.child.exitCode, null, `sluice exited during h2spec: ${sluice.stderr().slice(-3000)}`);
        // Upstreams answer or cut late, after the body timeout: what h2spec left waiting lands now.
        await h1.settled(15_000);
        await h2c.settled(15_000);
        assert.equal(sluice.child.exitCode, null, `sluice exited after h2spec: ${sluice.stderr().slice(-3000)}`);
        assert.equal((await get(sluice.addresses.http!, HOST, '/quick')).status, 200, 'still serving');
        assert.ok(r.passed >= RECORDED_PASSES[floor]!, `h2spec passed ${r.passed} (failed: ${r.failures.join('; ')})\n${r.output.slice(-3000)}`);
      });
    }
  });
}
