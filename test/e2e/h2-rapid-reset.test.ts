// The HTTP/2 "rapid reset" attack (CVE-2023-44487): a client opens streams and resets them at
// once, HEADERS + RST_STREAM, thousands a second. A stream reset before Sluice dispatched it must
// not touch an upstream (each used to open and destroy an upstream socket), a client resetting
// past the budget gets GOAWAY ENHANCE_YOUR_CALM and loses its connection, and other clients keep
// being served throughout.
import assert from 'node:assert/strict';
import type http2 from 'node:http2';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { goawayCode, headersFrame, RawH2, requestFields, rstStream } from '../proxy/h2-frames.ts';
import { connectH2, h2Request } from '../proxy/h2-helpers.ts';
import { type LateUpstream, startLateH1, startLateH2c } from '../proxy/late-upstreams.ts';

const HOST = 'reset.example.com';
const ATTACKERS = 4;
const PAIRS = 2000;
const PAIRS_PER_WRITE = 50;
const ENHANCE_YOUR_CALM = 0xb;
const INTERNAL_ERROR = 0x2;

describe('HTTP/2 rapid reset (sluice serve)', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let h1: LateUpstream;
  let h2c: LateUpstream;

  before(async () => {
    h1 = await startLateH1(100);
    h2c = await startLateH2c(100);
    cfg = await ConfigDir.create();
    await cfg.write('all.yaml', [
      ...backend('h1', [{ ip: '127.0.0.1', port: h1.port }]),
      ...backend('h2c', [{ ip: '127.0.0.1', port: h2c.port }], { portName: 'h2c' }),
      ingress('reset', [{ hosts: [HOST], paths: [{ path: '/h2c', splits: [{ service: 'h2c' }] }, { splits: [{ service: 'h1' }] }] }]),
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  });

  after(async () => {
    await sluice?.stop();
    await h1?.close();
    await h2c?.close();
    await cfg?.cleanup();
  });

  /** HEADERS + RST_STREAM pairs on one connection, `PAIRS_PER_WRITE` per write, until done or cut off. */
  async function attack(method: string, path: string): Promise<{ goaway: number | undefined; closed: boolean }> {
    const c = await RawH2.connect(sluice.addresses.http!);
    try {
      const fields = requestFields(method, HOST, path);
      for (let id = 1; id < 2 * PAIRS && !c.closed; ) {
        const batch: Buffer[] = [];
        for (let k = 0; k < PAIRS_PER_WRITE; k++, id += 2) batch.push(headersFrame(id, fields, method === 'GET'), rstStream(id));
        c.send(...batch);
        // Written as fast as the socket takes it; a server that stops reading ends the attack.
        if (c.socket.writableNeedDrain) {
          if (!(await c.drained(3000))) break;
        } else await new Promise((r) => setImmediate(r));
      }
      const goaway = await c.waitFrame((f) => goawayCode(f) !== undefined, 5000);
      return { goaway: goaway ? goawayCode(goaway) : undefined, closed: await c.waitClosed(5000) };
    } finally {
      c.destroy();
    }
  }

  /** Requests on a well-behaved session until `stop`; counts the answers per path. */
  async function canary(session: http2.ClientHttp2Session, stop: () => boolean): Promise<{ ok: Record<string, number>; failed: string[] }> {
    const ok: Record<string, number> = { '/quick': 0, '/h2c/quick': 0 };
    const failed: string[] = [];
    while (!stop()) {
      if (session.destroyed || session.closed) {
        failed.push('the canary session was closed');
        break;
      }
      for (const path of Object.keys(ok)) {
        const r = await h2Request(session, { ':path': path, ':authority': HOST }, undefined, 5000).catch((err: Error) => err);
        if (r instanceof Error || r.status !== 200) failed.push(`${path}: ${r instanceof Error ? r.message : r.status}`);
        else ok[path]!++;
      }
    }
    return { ok, failed };
  }

  it('never opens upstream connections for reset streams, cuts the attackers off and keeps serving others', async () => {
    const h1Connections = h1.connections;
    const h1Requests = h1.requests;
    const h2cRequests = h2c.requests;
    const s = connectH2(sluice.addresses.http!);
    let done = false;
    try {
      const canaryRun = canary(s, () => done);
      // Bodiless GETs take the raw upstream sockets, POSTs undici, /h2c the h2c session.
      const targets = [['GET', '/a'], ['POST', '/b'], ['GET', '/h2c/c'], ['POST', '/h2c/d']] as const;
      const results = await Promise.all(Array.from({ length: ATTACKERS }, (_, i) => attack(targets[i % targets.length]![0], targets[i % targets.length]![1])));
      done = true;
      const c = await canaryRun;
      for (const r of results) {
        // Closing a socket with unread input makes the kernel send a TCP reset, which can
        // overtake the GOAWAY: when it arrives, it says why.
        // Sluice's reset budget says ENHANCE_YOUR_CALM; node's own flood limits (refused streams,
        // invalid frames), which a loaded machine can make trip first, end the session as an error.
        if (r.goaway !== undefined) assert.ok(r.goaway === ENHANCE_YOUR_CALM || r.goaway === INTERNAL_ERROR, `GOAWAY ENHANCE_YOUR_CALM or INTERNAL_ERROR, got ${r.goaway}`);
        assert.ok(r.closed, 'the attacker connection is closed');
      }
      const reached = { h1Connections: h1.connections - h1Connections, h1Requests: h1.requests - h1Requests - c.ok['/quick']!, h2cRequests: h2c.requests - h2cRequests - c.ok['/h2c/quick']! };
      // A pair split across two reads may slip through; thousands must not.
      assert.ok(reached.h1Connections <= 10 && reached.h1Requests <= 10 && reached.h2cRequests <= 10, `upstream reached by reset streams: ${JSON.stringify(reached)}`);
      assert.deepEqual(c.failed, [], 'every canary request succeeded');
      assert.ok(c.ok['/quick']! > 0 && c.ok['/h2c/quick']! > 0, 'the canary ran');
    } finally {
      done = true;
      s.destroy();
    }
  });
});
