// A Gateway API port removed by a swap drains its HTTP/2 clients as SIGTERM does (h2-drain.test.ts):
// the two-step GOAWAY: a stream in flight finishes, one the client sent before it saw the first
// GOAWAY is answered (the port's routes left with it: 404), one sent after the second is refused
// (REFUSED_STREAM).
import assert from 'node:assert/strict';
import type http from 'node:http';
import { describe, it } from 'node:test';
import { eventually } from '../support/http.ts';
import { startUpstream } from '../support/upstream.ts';
import { ACK, DATA, END_STREAM, frame, GOAWAY, HEADERS, headersFrame, type ParsedFrame, PING, RawH2, requestFields, RST_STREAM, SETTINGS } from './h2-frames.ts';
import { cluster, freePort, port, portName, startPorts, vhost } from './gateway-ports-helpers.ts';

const HOST = 'drain.example.com';
const REFUSED_STREAM = 0x7;
const lastId = (f: ParsedFrame): number => f.payload.readUInt32BE(0) & 0x7fffffff;

describe('a removed Gateway API port drains HTTP/2 clients', () => {
  it('answers a stream sent between the two GOAWAYs and refuses one sent after the second (REFUSED_STREAM)', async () => {
    const held = new Map<string, http.ServerResponse>();
    const upstream = await startUpstream('held', (req, res) => void held.set(req.url!, res));
    const t = startPorts({ drainTimeout: 10_000 });
    let c: RawH2 | undefined;
    try {
      const p = await freePort();
      const clusters = [cluster('default/held:80', upstream.port)];
      await t.publish({ clusters, ports: [port(p, 'HTTP', [vhost(portName(p), HOST, 'default/held:80')])] });
      c = await RawH2.connect(`127.0.0.1:${p}`);
      const client = c;
      // The front end has the connection (its SETTINGS came) before the drain starts.
      assert.ok(await client.waitFrame((f) => f.type === SETTINGS), 'no SETTINGS from the gateway');
      // A request in flight when the port goes: it holds the connection open through the drain.
      client.send(headersFrame(1, requestFields('GET', HOST, '/in-flight'), true));
      assert.ok(await eventually(() => held.has('/in-flight'), 10_000), 'the upstream never got the request in flight');
      // A request on its way as the drain begins: sent when the first GOAWAY arrives, before the PING's ACK.
      let sent = false;
      client.answerPings = false;
      client.onFrame = (f) => {
        if (f.type === GOAWAY && !sent) {
          sent = true;
          client.send(headersFrame(3, requestFields('GET', HOST, '/between'), true));
        }
        if (f.type === PING && (f.flags & ACK) === 0) client.send(frame(PING, ACK, 0, f.payload));
      };
      // Not awaited: the swap settles once the port has drained, which waits on the held request.
      const removed = t.publish({ clusters });
      const second = await client.waitFrame((f) => f.type === GOAWAY && lastId(f) !== 0x7fffffff, 10_000);
      assert.ok(second !== undefined, 'no GOAWAY with the last stream id');
      assert.equal(lastId(second), 3, 'the stream sent between the GOAWAYs counts as processed');
      // It is answered, not refused: routed by the new snapshot, in which the port's routes are gone (404).
      const answer = await client.waitFrame((f) => f.type === HEADERS && f.streamId === 3);
      assert.ok(answer !== undefined, 'stream 3 got no response');
      assert.equal(client.frames.some((f) => f.type === RST_STREAM && f.streamId === 3), false);
      assert.equal(held.has('/between'), false);
      // After the second GOAWAY a new stream is refused.
      client.send(headersFrame(5, requestFields('GET', HOST, '/after'), true));
      const rst = await client.waitFrame((f) => f.type === RST_STREAM && f.streamId === 5);
      assert.ok(rst !== undefined, 'stream 5 was not refused');
      assert.equal(rst.payload.readUInt32BE(0), REFUSED_STREAM);
      held.get('/in-flight')!.end('finished while draining');
      const last = await client.waitFrame((f) => f.type === DATA && f.streamId === 1 && (f.flags & END_STREAM) !== 0);
      assert.ok(last !== undefined, 'stream 1 got no end of its response');
      const body = Buffer.concat(client.frames.filter((f) => f.type === DATA && f.streamId === 1).map((f) => f.payload)).toString();
      assert.equal(body, 'finished while draining');
      await removed;
      assert.equal(held.has('/after'), false);
    } finally {
      c?.destroy();
      await t.stop();
      await upstream.close();
    }
  });
});
