// Hostile bytes against the HTTP/2 front end (Sluice's own core) over real sockets, h2c
// and TLS: connections that send the preface, then random frames, mutated request header blocks,
// body DATA on streams being proxied, and frames cut off mid-way. Seeded, so every run sends the
// same. The process must survive all of it, and a client on another connection must be served
// throughout.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { mulberry32 } from '../support/prng.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { makeCert, tlsSecret } from '../proxy/certs.ts';
import { connectH2, h2Request } from '../proxy/h2-helpers.ts';
import { DATA, END_HEADERS, END_STREAM, frame, headerBlock, PREFACE, requestFields, settingsFrame } from '../proxy/h2-frames.ts';

const HOST = 'localhost';
const CONNECTIONS = 120;

/** One connection's worth of hostile bytes. */
function hostileBytes(rand: () => number): Buffer {
  const int = (n: number): number => Math.floor(rand() * n);
  const parts: Buffer[] = [PREFACE, settingsFrame()];
  const frames = 1 + int(12);
  for (let i = 0; i < frames; i++) {
    const kind = int(4);
    if (kind === 0) {
      // Any frame type (known or not), any flags, a small stream id, random payload.
      const payload = Buffer.from(Array.from({ length: int(40) }, () => int(256)));
      parts.push(frame(int(12), int(256), int(8), payload));
    } else if (kind === 1) {
      // A valid request's header block with a few bytes flipped.
      const block = headerBlock(requestFields(rand() < 0.5 ? 'GET' : 'POST', HOST, `/p${int(100)}`, [['x-n', String(int(1000))]]));
      for (let f = 0; f < 1 + int(3); f++) block[int(block.length)] = int(256);
      parts.push(frame(0x1, END_HEADERS | (rand() < 0.5 ? END_STREAM : 0), 1 + 2 * int(4), block));
    } else if (kind === 2) {
      // A valid request with a body, the body's DATA possibly on the wrong stream or too long.
      const id = 1 + 2 * int(4);
      parts.push(frame(0x1, END_HEADERS, id, headerBlock(requestFields('POST', HOST, '/upload', [['content-length', String(int(50))]]))));
      parts.push(frame(DATA, rand() < 0.5 ? END_STREAM : 0, rand() < 0.8 ? id : int(10), Buffer.alloc(int(80), 7)));
    } else {
      // A frame header promising more than follows (the connection then ends mid-frame).
      const head = Buffer.alloc(9);
      head.writeUIntBE(int(1 << 14), 0, 3);
      head[3] = int(10);
      head.writeUInt32BE(int(8), 5);
      parts.push(head, Buffer.alloc(int(20), int(256)));
    }
  }
  const all = Buffer.concat(parts);
  // Sometimes cut the whole thing short anywhere after the preface.
  return rand() < 0.3 ? all.subarray(0, PREFACE.length + int(all.length - PREFACE.length)) : all;
}

/** Sends `bytes`, then waits (bounded) for the gateway to close or for a quiet moment, and closes. */
function throwAt(connect: () => net.Socket, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect();
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    const timer = setTimeout(done, 300);
    socket.on('error', done);
    socket.on('close', done);
    socket.on('data', () => {});
    socket.write(bytes);
  });
}

describe('the own HTTP/2 front end under random and truncated frames', () => {
  let dir: string;
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let upstream: http.Server;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-h2fuzz-'));
    const cert = makeCert(dir, 'localhost', [HOST]);
    upstream = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    cfg = await ConfigDir.create();
    await cfg.write('all.yaml', [
      ...backend('up', [{ ip: '127.0.0.1', port: (upstream.address() as AddressInfo).port }]),
      tlsSecret('localhost-cert', cert),
      ingress('fuzz', [{ hosts: [HOST], paths: [{ splits: [{ service: 'up' }] }] }], { tls: [{ hosts: [HOST], secretName: 'localhost-cert' }] }),
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0'], ['http', 'https', 'local', 'admin']);
  });

  after(async () => {
    await sluice?.stop();
    upstream?.closeAllConnections();
    await new Promise<void>((r) => upstream?.close(() => r()));
    await cfg?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  for (const kind of ['h2c', 'tls'] as const) {
    it(`survives ${CONNECTIONS} hostile ${kind} connections and keeps serving another one`, async () => {
      const rand = mulberry32(kind === 'h2c' ? 0x5eed : 0x7e55);
      const address = kind === 'h2c' ? sluice.addresses.http! : sluice.addresses.https!;
      const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
      const connect = kind === 'h2c' ? () => net.connect(port, host) : () => tls.connect({ host, port, servername: HOST, ALPNProtocols: ['h2'], rejectUnauthorized: false });
      const good = connectH2(sluice.addresses.http!);
      try {
        assert.equal((await h2Request(good, { ':path': '/', ':authority': HOST })).status, 200);
        for (let i = 0; i < CONNECTIONS; i += 8) {
          await Promise.all(Array.from({ length: 8 }, () => throwAt(connect, hostileBytes(rand))));
          assert.equal(sluice.child.exitCode, null, `sluice exited: ${sluice.stderr().slice(-2000)}`);
          // The well-behaved client, on its own connection, is served between every batch.
          assert.equal((await h2Request(good, { ':path': `/ok${i}`, ':authority': HOST })).status, 200);
        }
      } finally {
        good.destroy();
      }
      assert.equal(sluice.child.exitCode, null);
    });
  }
});
