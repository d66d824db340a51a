// Shutdown with HTTP/2 clients connected: on SIGTERM every HTTP/2 connection gets the two-step
// GOAWAY (RFC 9113 6.8): first 2^31-1 and a PING, then, after the PING's round trip, the last
// stream processed. A stream in flight, and one the client sent before it saw the first GOAWAY,
// get their whole responses; one sent after the second is refused (REFUSED_STREAM, safe to retry
// elsewhere); the process exits 0 once they are answered.
import assert from 'node:assert/strict';
import http from 'node:http';
import type http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ConfigDir } from '../support/config.ts';
import type { SluiceProcess } from '../support/sluice.ts';
import { connectH2, h2Request } from '../proxy/h2-helpers.ts';
import { DATA, END_STREAM, frame, GOAWAY, headersFrame, PING, ACK, type ParsedFrame, RawH2, requestFields, RST_STREAM, SETTINGS } from '../proxy/h2-frames.ts';
import { routeTo, serve } from './h2-serve-fixture.ts';

const HOST = 'drain.example.com';
const REFUSED_STREAM = 0x7;
const DRAIN = ['--drain-delay', '0', '--drain-timeout', '10'];

const lastId = (f: ParsedFrame): number => f.payload.readUInt32BE(0) & 0x7fffffff;

describe('HTTP/2 graceful drain (sluice serve)', () => {
  let cfg: ConfigDir;
  let upstream: http.Server;
  /** requests the upstream holds until the test answers them, by path */
  const held = new Map<string, http.ServerResponse>();
  let arrived: (path: string) => void = () => {};

  /** Resolves once the upstream holds a request for `path`. */
  const holding = (path: string): Promise<void> =>
    new Promise((resolve, reject) => {
      if (held.has(path)) return resolve();
      const t = setTimeout(() => reject(new Error(`the upstream never got ${path}`)), 10_000);
      arrived = (p) => {
        if (p !== path) return;
        clearTimeout(t);
        resolve();
      };
    });

  before(async () => {
    upstream = http.createServer((req, res) => {
      req.resume();
      held.set(req.url!, res);
      arrived(req.url!);
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    cfg = await routeTo(HOST, (upstream.address() as AddressInfo).port);
  });

  after(async () => {
    upstream?.closeAllConnections();
    await new Promise<void>((r) => upstream?.close(() => r()));
    await cfg?.cleanup();
  });

  it('sends GOAWAY and lets a stream in flight finish', async () => {
    let sluice: SluiceProcess | undefined;
    let s: http2.ClientHttp2Session | undefined;
    try {
      sluice = await serve(cfg, DRAIN);
      s = connectH2(sluice.addresses.http!);
      const goaway = new Promise<void>((resolve) => s!.once('goaway', () => resolve()));
      const upstreamHasIt = holding('/slow');
      const inFlight = h2Request(s, { ':path': '/slow', ':authority': HOST });
      await upstreamHasIt;
      const exited = sluice.stop('SIGTERM', 15_000);
      await goaway;
      held.get('/slow')!.end('late answer');
      const r = await inFlight;
      assert.equal(r.status, 200);
      assert.equal(r.body, 'late answer');
      assert.equal(await exited, 0);
    } finally {
      s?.destroy();
      await sluice?.stop();
    }
  });

  it('answers a stream sent between the two GOAWAYs and refuses one sent after the second (REFUSED_STREAM)', async () => {
    let sluice: SluiceProcess | undefined;
    let c: RawH2 | undefined;
    try {
      sluice = await serve(cfg, DRAIN);
      c = await RawH2.connect(sluice.addresses.http!);
      const client = c;
      // The front end has the connection (its SETTINGS came) before the drain starts.
      assert.ok(await client.waitFrame((f) => f.type === SETTINGS), 'no SETTINGS from the gateway');
      // The client sends a request as the first GOAWAY arrives, before it answers the PING that
      // follows it: as a request already on the wire when the server started its shutdown would be.
      let sent = false;
      client.answerPings = false;
      client.onFrame = (f) => {
        if (f.type === GOAWAY && !sent) {
          sent = true;
          client.send(headersFrame(1, requestFields('GET', HOST, '/between'), true));
        }
        if (f.type === PING && (f.flags & ACK) === 0) client.send(frame(PING, ACK, 0, f.payload));
      };
      const exited = sluice.stop('SIGTERM', 15_000);
      const second = await client.waitFrame((f) => f.type === GOAWAY && lastId(f) !== 0x7fffffff, 10_000);
      assert.ok(second !== undefined, 'no GOAWAY with the last stream id');
      assert.equal(lastId(second), 1, 'the stream sent between the GOAWAYs counts as processed');
      // After the second GOAWAY a new stream is refused, not left unanswered.
      client.send(headersFrame(3, requestFields('GET', HOST, '/after'), true));
      const rst = await client.waitFrame((f) => f.type === RST_STREAM && f.streamId === 3);
      assert.ok(rst !== undefined, 'stream 3 was not refused');
      assert.equal(rst.payload.readUInt32BE(0), REFUSED_STREAM);
      await holding('/between');
      assert.equal(held.has('/after'), false);
      held.get('/between')!.end('answered while draining');
      const last = await client.waitFrame((f) => f.type === DATA && f.streamId === 1 && (f.flags & END_STREAM) !== 0);
      assert.ok(last !== undefined, 'stream 1 got no response body');
      const body = Buffer.concat(client.frames.filter((f) => f.type === DATA && f.streamId === 1).map((f) => f.payload)).toString();
      assert.equal(body, 'answered while draining');
      assert.equal(await exited, 0);
    } finally {
      c?.destroy();
      await sluice?.stop();
    }
  });
});
