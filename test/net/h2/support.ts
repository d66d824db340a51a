// Test support for the HTTP/2 core: header blocks a raw test client sends (literal fields
// without indexing, RFC 7541 6.2.2, so a test controls every byte) and a core server on 127.0.0.1:0.
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { H2Connection, type H2ServerOptions, type StreamHandler } from '../../../src/net/h2/connection.ts';

/** Literal without indexing, new name, no Huffman: every field as plain bytes. */
export function literalBlock(pairs: readonly string[]): Buffer {
  const out: number[] = [];
  const int7 = (n: number): void => {
    if (n < 127) return void out.push(n);
    out.push(127);
    n -= 127;
    while (n >= 128) {
      out.push((n & 127) | 128);
      n >>>= 7;
    }
    out.push(n);
  };
  for (let i = 0; i < pairs.length; i += 2) {
    out.push(0);
    for (const s of [pairs[i]!, pairs[i + 1]!]) {
      const b = Buffer.from(s, 'latin1');
      int7(b.length);
      for (const c of b) out.push(c);
    }
  }
  return Buffer.from(out);
}

export interface CoreServer {
  port: number;
  connections: Set<H2Connection>;
  close(): Promise<void>;
}

/**
 * The core on 127.0.0.1:0: h2c with prior knowledge, or h2 over TLS (ALPN offers only h2) when
 * `tlsPair` is given.
 */
export async function startCore(onStream: StreamHandler, options: Partial<H2ServerOptions> = {}, tlsPair?: { cert: string; key: string }): Promise<CoreServer> {
  const connections = new Set<H2Connection>();
  const accept = (socket: net.Socket): void => {
    const conn = new H2Connection(socket, options, onStream);
    connections.add(conn);
    conn.onClose = () => connections.delete(conn);
  };
  const server = tlsPair === undefined ? net.createServer(accept) : tls.createServer({ ...tlsPair, ALPNProtocols: ['h2'] }).on('secureConnection', accept);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of connections) c.destroy();
        server.close(() => resolve());
      }),
  };
}
