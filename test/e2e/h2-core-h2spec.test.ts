// h2spec (github.com/summerwind/h2spec, 146 cases) against Sluice's own HTTP/2 core
// (src/net/h2) alone, without the gateway (h2spec.test.ts runs it against `sluice serve`): a server
// on the core answering 200 "hello" and echoing
// POST bodies, over h2c with prior knowledge and over TLS with ALPN h2. Skipped when no h2spec
// binary is found (PATH or $H2SPEC); scripts/build-h2spec.sh builds one offline.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeCert } from '../proxy/certs.ts';
import { helloHandler } from '../net/h2/hello-handler.ts';
import { type CoreServer, startCore } from '../net/h2/support.ts';
import { connect, request } from '../net/h2/client.ts';
import { findH2spec, H2SPEC_MISSING, runH2spec } from '../support/h2spec.ts';

/** Passing cases out of 146 (h2spec source af83a65), recorded on Node 20.20: all of them. */
const RECORDED_PASSES = { h2c: 146, tls: 146 } as const;

const h2spec = findH2spec();

describe('h2spec conformance (own HTTP/2 core)', { skip: h2spec ? false : H2SPEC_MISSING }, () => {
  let dir: string;
  let h2c: CoreServer;
  let h2: CoreServer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-h2core-'));
    const cert = makeCert(dir, 'localhost', ['localhost']);
    h2c = await startCore(helloHandler, { maxConcurrentStreams: 100, idleTimeoutMs: 10_000 });
    h2 = await startCore(helloHandler, { maxConcurrentStreams: 100, idleTimeoutMs: 10_000 }, cert);
  });

  after(async () => {
    await h2c?.close();
    await h2?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const runs = [['h2c with prior knowledge', 'h2c', []], ['h2 over TLS (ALPN)', 'tls', ['-t', '-k']]] as const;
  for (const [name, kind, tlsArgs] of runs) {
    it(`passes at least ${RECORDED_PASSES[kind]} of 146 cases: ${name}`, async (t) => {
      const server = kind === 'h2c' ? h2c : h2;
      const r = await runH2spec(h2spec!, ['-h', '127.0.0.1', '-p', String(server.port), '-o', '2', ...tlsArgs], join(dir, `report-${kind}.xml`));
      t.diagnostic(`h2spec: ${r.passed} passed; failed: ${r.failures.join('; ')}`);
      assert.ok(r.passed >= RECORDED_PASSES[kind], `h2spec passed ${r.passed} (failed: ${r.failures.join('; ')})\n${r.output.slice(-3000)}`);
      if (kind === 'h2c') {
        // Still serving after the run.
        const session = connect(server.port);
        try {
          assert.equal((await request(session, { ':path': '/' })).body.toString(), 'hello');
        } finally {
          session.destroy();
        }
      }
    });
  }
});
