// A tiny HTTP/2 server on a raw socket for the HPACK tests: just enough framing (preface,
// SETTINGS and their ACKs, HEADERS + CONTINUATION joined) to hand a real peer's header blocks to
// our decoder and to write header blocks from our encoder. Not a general HTTP/2 server.
import net from 'node:net';

const PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';
export const FRAME = { HEADERS: 1, SETTINGS: 4, CONTINUATION: 9 } as const;
export const FLAG = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const;

export interface RawConnection {
  /** writes one frame */
  frame(type: number, flags: number, streamId: number, payload: Uint8Array): void;
}

export interface RawHandlers {
  /** our SETTINGS (id -> value), sent first */
  settings?: [number, number][];
  /** the peer's SETTINGS (not ACKs), before we ACK them */
  onSettings?(params: Map<number, number>, c: RawConnection): void;
  /** the peer acknowledged our SETTINGS */
  onSettingsAck?(c: RawConnection): void;
  /** a complete header block (HEADERS + CONTINUATIONs, padding and priority removed) */
  onHeaders(streamId: number, block: Buffer, c: RawConnection): void;
}

export interface RawServer {
  port: number;
  /** errors raised by handlers (a test asserts there are none) */
  errors: unknown[];
  close(): Promise<void>;
}

export async function startRawServer(h: RawHandlers): Promise<RawServer> {
  const errors: unknown[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.setNoDelay(true); // each frame is its own small write: no Nagle stalls
    const c: RawConnection = {
      frame(type, flags, streamId, payload) {
        const head = Buffer.alloc(9);
        head.writeUIntBE(payload.length, 0, 3);
        head[3] = type;
        head[4] = flags;
        head.writeUInt32BE(streamId, 5);
        socket.write(Buffer.concat([head, payload]));
      },
    };
    const ours = Buffer.alloc(6 * (h.settings?.length ?? 0));
    h.settings?.forEach(([id, v], i) => {
      ours.writeUInt16BE(id, i * 6);
      ours.writeUInt32BE(v, i * 6 + 2);
    });
    c.frame(FRAME.SETTINGS, 0, 0, ours);
    let buf = Buffer.alloc(0);
    let prefaceSeen = false;
    let pending: { streamId: number; parts: Buffer[] } | undefined;
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      try {
        if (!prefaceSeen) {
          if (buf.length < PREFACE.length) return;
          if (buf.subarray(0, PREFACE.length).toString('latin1') !== PREFACE) throw new Error('bad preface');
          prefaceSeen = true;
          buf = buf.subarray(PREFACE.length);
        }
        while (buf.length >= 9) {
          const len = buf.readUIntBE(0, 3);
          if (buf.length < 9 + len) break;
          const type = buf[3]!;
          const flags = buf[4]!;
          const streamId = buf.readUInt32BE(5) & 0x7fffffff;
          let p = buf.subarray(9, 9 + len);
          buf = buf.subarray(9 + len);
          if (type === FRAME.SETTINGS) {
            if (flags & FLAG.ACK) h.onSettingsAck?.(c);
            else {
              const params = new Map<number, number>();
              for (let i = 0; i + 6 <= p.length; i += 6) params.set(p.readUInt16BE(i), p.readUInt32BE(i + 2));
              h.onSettings?.(params, c);
              c.frame(FRAME.SETTINGS, FLAG.ACK, 0, Buffer.alloc(0));
            }
          } else if (type === FRAME.HEADERS || type === FRAME.CONTINUATION) {
            if (type === FRAME.HEADERS) {
              let pad = 0;
              if (flags & FLAG.PADDED) {
                pad = p[0]!;
                p = p.subarray(1);
              }
              if (flags & FLAG.PRIORITY) p = p.subarray(5);
              p = p.subarray(0, p.length - pad);
              pending = { streamId, parts: [] };
            }
            if (pending === undefined) throw new Error('CONTINUATION without HEADERS');
            pending.parts.push(Buffer.from(p));
            if (flags & FLAG.END_HEADERS) {
              const done = pending;
              pending = undefined;
              h.onHeaders(done.streamId, Buffer.concat(done.parts), c);
            }
          }
        }
      } catch (e) {
        errors.push(e);
        socket.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    errors,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
