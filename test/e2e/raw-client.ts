// A raw TCP (or TLS) HTTP/1.1 client for tests that need exact bytes on the wire: smuggling
// shapes, pipelining, half-closes. Every wait is bounded.
import net from 'node:net';
import tls from 'node:tls';

export function splitAddress(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  return { host: addr.slice(0, i), port: Number(addr.slice(i + 1)) };
}

export interface RawOptions {
  /** pause between chunks, ms */
  readonly gapMs?: number;
  /** give up waiting after this many ms (the text so far is returned) */
  readonly boundMs?: number;
  /** stop as soon as this is true of the text received */
  readonly until?: (text: string) => boolean;
  /** half-close (FIN) after the last chunk */
  readonly end?: boolean;
  /** connect over TLS with this SNI (certificate not verified) */
  readonly tlsServername?: string;
}

export interface RawResult {
  readonly text: string;
  /** whether the server closed the connection within the bound */
  readonly closed: boolean;
  /** ms from the last write to the close (or to the end of the wait) */
  readonly ms: number;
}

/** Sends chunks on a new connection and collects what comes back until the server closes, `until` holds, or the bound. */
export async function rawExchange(addr: string, chunks: Array<string | Buffer>, opts: RawOptions = {}): Promise<RawResult> {
  const { host, port } = splitAddress(addr);
  const sock: net.Socket = opts.tlsServername !== undefined
    ? tls.connect({ host, port, servername: opts.tlsServername, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] })
    : net.connect(port, host);
  sock.on('error', () => {});
  const parts: Buffer[] = [];
  let closed = false;
  sock.on('data', (d: Buffer) => parts.push(d));
  sock.on('close', () => (closed = true));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('connect timeout')), 5000);
    sock.once(opts.tlsServername !== undefined ? 'secureConnect' : 'connect', () => {
      clearTimeout(t);
      resolve();
    });
  });
  for (const c of chunks) {
    sock.write(c);
    if (opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
  }
  if (opts.end) sock.end();
  const start = Date.now();
  const until = start + (opts.boundMs ?? 5000);
  const text = (): string => Buffer.concat(parts).toString('latin1');
  while (!closed && Date.now() < until && !(opts.until?.(text()) ?? false)) await new Promise((r) => setTimeout(r, 10));
  const ms = Date.now() - start;
  sock.destroy();
  return { text: text(), closed, ms };
}

/** Status codes of the HTTP/1.1 responses in a text, in order. */
export const statuses = (text: string): number[] => [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));

export interface RawUpstream {
  readonly port: number;
  close(): Promise<void>;
}

/** An upstream that answers each request head it reads with the bytes `answer` gives (keep-alive, no body reading). */
export async function startRawUpstream(answer: (head: string) => string): Promise<RawUpstream> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (let i = buf.indexOf('\r\n\r\n'); i >= 0; i = buf.indexOf('\r\n\r\n')) {
        const reply = answer(buf.slice(0, i + 4));
        buf = buf.slice(i + 4);
        if (reply !== '') s.write(reply, 'latin1');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}
