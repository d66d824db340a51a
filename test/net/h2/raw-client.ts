// A raw HTTP/2 client for hostile-input tests: writes any frame, reads the server's frames.
import net from 'node:net';
import { FrameReader } from '../../../src/net/h2/frame-reader.ts';
import { FrameWriter } from '../../../src/net/h2/frame-writer.ts';
import { CLIENT_PREFACE, FLAG_ACK, PING, SETTINGS } from '../../../src/net/h2/frames.ts';

export interface Frame {
  type: number;
  flags: number;
  id: number;
  payload: Buffer;
}

export interface RawClientOptions {
  /** Acknowledge the server's SETTINGS (default true): false stands for a peer that never does. */
  ackSettings?: boolean;
  /** Answer the server's PINGs (default false: the raw client is a peer that may be dead). */
  answerPings?: boolean;
}

export class RawClient {
  readonly frames: Frame[] = [];
  readonly out: FrameWriter;
  closed = false;
  readonly socket: net.Socket;

  private constructor(socket: net.Socket, options: RawClientOptions) {
    this.socket = socket;
    this.out = new FrameWriter(socket);
    const reader = new FrameReader({
      frame: (type, flags, id, payload) => {
        this.frames.push({ type, flags, id, payload: Buffer.from(payload) });
        // Acknowledge the server's SETTINGS, as every client must.
        if (type === SETTINGS && (flags & FLAG_ACK) === 0 && !this.socket.destroyed && options.ackSettings !== false) {
          this.out.settingsAck();
          this.out.flush();
        }
        if (type === PING && (flags & FLAG_ACK) === 0 && !this.socket.destroyed && options.answerPings === true) {
          this.out.ping(true, payload);
          this.out.flush();
        }
      },
      oversized: () => socket.destroy(),
    }, 16_777_215);
    socket.on('data', (c: Buffer) => reader.push(c));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
    });
  }

  /** Connects and sends the preface (and an empty SETTINGS unless `preface` is given). */
  static async open(port: number, preface?: Buffer, options: RawClientOptions = {}): Promise<RawClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const c = new RawClient(socket, options);
    if (preface !== undefined) socket.write(preface);
    else {
      socket.write(CLIENT_PREFACE);
      c.out.settings([]);
      c.out.flush();
    }
    return c;
  }

  send(): void {
    this.out.flush();
  }

  /** Waits (bounded) for a frame matching `pred`. */
  async waitFor(pred: (f: Frame) => boolean, what: string, ms = 5000): Promise<Frame> {
    const deadline = Date.now() + ms;
    for (;;) {
      const f = this.frames.find(pred);
      if (f !== undefined) return f;
      if (this.closed) throw new Error(`connection closed before ${what}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async waitClosed(ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the close');
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export const goawayCode = (f: Frame): number => f.payload.readUInt32BE(4);
export const rstCode = (f: Frame): number => f.payload.readUInt32BE(0);
