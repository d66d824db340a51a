// Frame-level fuzzing of the core over real sockets: thousands of seeded sequences, each on its
// own connection, either random frames or a valid conversation whose bytes are mutated (flipped,
// cut, repeated, spliced, a length or type rewritten). Whatever arrives, no error escapes, every
// connection answers a marker PING or ends, and what a connection holds stays within its bounds.
// A failure names the seed and the sequence: rerun with the same SEED to reproduce it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { H2Connection } from '../../../src/net/h2/connection.ts';
import { FrameWriter } from '../../../src/net/h2/frame-writer.ts';
import {
  CONTINUATION, DATA, FLAG_END_HEADERS, FLAG_END_STREAM, HEADERS, PING, PRIORITY, RST_STREAM, SETTINGS_INITIAL_WINDOW_SIZE,
  SETTINGS_MAX_FRAME_SIZE, WINDOW_UPDATE,
} from '../../../src/net/h2/frames.ts';
import type { H2Stream } from '../../../src/net/h2/stream.ts';
import { mulberry32 } from '../../support/prng.ts';
import { connect, request, until } from './client.ts';
import { helloHandler } from './hello-handler.ts';
import { RawClient } from './raw-client.ts';
import { type CoreServer, literalBlock, startCore } from './support.ts';

const SEED = Number(process.env.H2_FUZZ_SEED ?? 20261207);
const SEQUENCES = 2000;
const BATCH = 50;
const MARKER = Buffer.from('fuzzmark');
const LIMITS = { maxConcurrentStreams: 20, maxHeaderListSize: 8192, maxBufferedResponse: 256 * 1024, maxQueuedOutput: 1024 * 1024 };

type Rand = () => number;

/** A valid conversation: requests with and without bodies, trailers, flow control, resets. */
function conversation(rand: Rand): Buffer {
  const chunks: Buffer[] = [];
  const w = new FrameWriter({ write: (b) => chunks.push(Buffer.from(b)) > 0 });
  const int = (n: number): number => Math.floor(rand() * n);
  w.settings(rand() < 0.3 ? [SETTINGS_INITIAL_WINDOW_SIZE, int(70_000), SETTINGS_MAX_FRAME_SIZE, 16_384 + int(1000)] : []);
  let id = 1;
  for (let i = 0, n = 1 + int(6); i < n; i++, id += 2) {
    const post = rand() < 0.5;
    const pairs = [':method', post ? 'POST' : 'GET', ':scheme', 'http', ':authority', 'x', ':path', `/${int(1000)}`, 'x-f', 'v'.repeat(int(300))];
    const block = literalBlock(pairs);
    if (rand() < 0.3) {
      const cut = int(block.length);
      w.frame(HEADERS, post ? 0 : FLAG_END_STREAM, id, block.subarray(0, cut));
      w.frame(CONTINUATION, FLAG_END_HEADERS, id, block.subarray(cut));
    } else w.frame(HEADERS, FLAG_END_HEADERS | (post ? 0 : FLAG_END_STREAM), id, block);
    if (post) {
      for (let k = 0, m = int(4); k < m; k++) w.frame(DATA, 0, id, Buffer.alloc(int(3000), k));
      if (rand() < 0.2) w.frame(HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, id, literalBlock(['x-trailer', 't']));
      else w.frame(DATA, FLAG_END_STREAM, id, Buffer.alloc(int(100)));
    }
    if (rand() < 0.2) w.frame(WINDOW_UPDATE, 0, rand() < 0.5 ? 0 : id, Buffer.from([0, 0, int(256), 1 + int(255)]));
    if (rand() < 0.1) w.frame(PRIORITY, 0, id + 2, Buffer.from([0, 0, 0, 1, 16]));
    if (rand() < 0.1) w.frame(RST_STREAM, 0, id, Buffer.from([0, 0, 0, 8]));
  }
  w.flush();
  return Buffer.concat(chunks);
}

/** One to four mutations of the conversation's bytes. */
function mutate(bytes: Buffer, rand: Rand): Buffer {
  const int = (n: number): number => Math.floor(rand() * n);
  let b = Buffer.from(bytes);
  for (let i = 0, n = 1 + int(4); i < n && b.length > 0; i++) {
    const at = int(b.length);
    switch (int(6)) {
      case 0: // flip bytes
        for (let k = 0, m = 1 + int(8); k < m; k++) b[int(b.length)] ^= 1 << int(8);
        break;
      case 1: // cut
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + int(40)))]);
        break;
      case 2: // repeat a slice
        b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + int(60)), b.subarray(at)]);
        break;
      case 3: // splice in random bytes
        b = Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 1 + int(30) }, () => int(256))), b.subarray(at)]);
        break;
      case 4: // a plausible frame header with random type, flags and stream id
        b = Buffer.concat([b.subarray(0, at), Buffer.from([0, 0, int(20), int(12), int(256), 0, 0, 0, int(12)]), b.subarray(at)]);
        break;
      default: // a byte set to an edge value
        b[at] = [0, 0xff, 0x7f, 0x80][int(4)]!;
    }
  }
  return b;
}

/** Random frames, as the smaller fuzz test sends them. */
function randomFrames(rand: Rand): Buffer {
  const int = (n: number): number => Math.floor(rand() * n);
  const chunks: Buffer[] = [];
  const w = new FrameWriter({ write: (b) => chunks.push(Buffer.from(b)) > 0 });
  w.settings([]);
  const ids = [0, 1, 2, 3, 5, 7, 0x7fffffff];
  for (let f = 0, n = 1 + int(40); f < n; f++) w.frame(int(12), int(256), ids[int(ids.length)]!, Buffer.from(Array.from({ length: int(60) }, () => int(256))));
  w.flush();
  return Buffer.concat(chunks);
}

/** What one server connection holds, checked against its bounds. */
function assertBounded(conn: H2Connection, where: string): void {
  assert.ok(conn.streams.size <= LIMITS.maxConcurrentStreams, `${where}: ${conn.streams.size} streams`);
  assert.ok(conn.recentlyClosed.size <= 257, `${where}: ${conn.recentlyClosed.size} closed streams remembered`);
  assert.ok(conn.output.bufferedResponse <= LIMITS.maxBufferedResponse + 64 * 1024, `${where}: ${conn.output.bufferedResponse} response bytes buffered`);
  assert.ok(conn.socket.writableLength + conn.writer.pending <= LIMITS.maxQueuedOutput + 64 * 1024, `${where}: output queued`);
  assert.ok((conn.pendingBlock?.size ?? 0) <= 2 * LIMITS.maxHeaderListSize, `${where}: header block held`);
  for (const s of conn.streams.values()) assert.ok(s.queued <= 4 * 1024 * 1024, `${where}: stream ${s.id} queued ${s.queued}`);
}

describe('HTTP/2 core under mutated and random frame sequences', () => {
  let server: CoreServer;
  let open = 0;
  before(async () => {
    server = await startCore((s: H2Stream) => {
      open++;
      s.onClose = () => open--;
      helloHandler(s);
    }, { ...LIMITS, idleTimeoutMs: 5000, streamIdleTimeoutMs: 2000 });
  });
  after(async () => {
    await server.close();
  });

  it(`survives ${SEQUENCES} sequences (seed ${SEED}): every connection answers or ends, each within its bounds`, async () => {
    const rand = mulberry32(SEED);
    let answered = 0;
    let ended = 0;
    const valid: RawClient[] = [];
    for (let start = 0; start < SEQUENCES; start += BATCH) {
      const batch: RawClient[] = [];
      for (let i = start; i < Math.min(SEQUENCES, start + BATCH); i++) {
        const c = await RawClient.open(server.port);
        batch.push(c);
        // Every 4th random frames, every 20th a conversation left whole (it must be answered).
        const kind = i % 4 === 0 ? 'random' : i % 20 === 1 ? 'valid' : 'mutated';
        if (kind === 'valid') valid.push(c);
        c.socket.write(kind === 'random' ? randomFrames(rand) : kind === 'valid' ? conversation(rand) : mutate(conversation(rand), rand));
        c.out.ping(false, MARKER);
        c.send();
      }
      await until(() => batch.every((c) => c.closed || hasMarker(c)), 'marker or close', 300).catch(() => {});
      for (const conn of server.connections) assertBounded(conn, `seed ${SEED} batch ${start}`);
      // Still neither: the mutation left a frame half sent. Its missing bytes (zeros) must end it
      // in a connection error or let the marker through.
      const waiting = batch.filter((c) => !c.closed && !hasMarker(c));
      for (const c of waiting) {
        c.socket.write(Buffer.alloc(16_384 + 9));
        c.out.ping(false, MARKER);
        c.send();
      }
      await until(() => waiting.every((c) => c.closed || hasMarker(c)), `seed ${SEED} batch ${start}: every connection answers or ends`, 10_000);
      for (const c of valid.splice(0)) assert.ok(hasMarker(c), `seed ${SEED} batch ${start}: a valid conversation answered`);
      for (const c of batch) {
        if (hasMarker(c)) answered++;
        else ended++;
        c.destroy();
      }
    }
    // Most mutations break a connection; some survive them (a flipped bit in a body or a field).
    assert.ok(answered > SEQUENCES / 20 && ended > SEQUENCES / 2, `answered ${answered}, ended ${ended}`);
    await until(() => server.connections.size === 0, 'every server connection gone');
    assert.equal(open, 0, 'every stream closed');
    const session = connect(server.port);
    try {
      assert.equal((await request(session, { ':path': '/' })).body.toString(), 'hello');
    } finally {
      session.destroy();
    }
  });
});

function hasMarker(c: RawClient): boolean {
  return c.frames.some((f) => f.type === PING && (f.flags & 1) === 1 && f.payload.equals(MARKER));
}
