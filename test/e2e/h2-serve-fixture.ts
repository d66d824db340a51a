// What the HTTP/2 e2e files share: one ingress for a host to an upstream port, `sluice serve` on
// it (h2c on --http), and a raw TCP upstream for answers no node:http server would send (a field
// twice, a 101 with fields HTTP/2 cannot carry).
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';

/** A config directory routing every path of `host` to 127.0.0.1:`port`. */
export async function routeTo(host: string, port: number): Promise<ConfigDir> {
  const cfg = await ConfigDir.create();
  await cfg.write('all.yaml', [
    ...backend('up', [{ ip: '127.0.0.1', port }]),
    ingress('h2', [{ hosts: [host], paths: [{ splits: [{ service: 'up' }] }] }]),
  ]);
  return cfg;
}

/** `sluice serve` on `cfg` with --http, --local and --admin on 127.0.0.1:0, and `extra` flags. */
export function serve(cfg: ConfigDir, extra: readonly string[] = []): Promise<SluiceProcess> {
  return startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', ...extra]);
}

export interface RawUpstream {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * A TCP upstream that reads each request head (and a small Content-Length body) and writes what
 * `answer` returns for it; `end` in the result closes the connection after writing.
 */
export async function rawUpstream(answer: (head: string) => { readonly bytes: string; readonly end?: boolean }): Promise<RawUpstream> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buf = '';
    socket.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const at = buf.indexOf('\r\n\r\n');
      if (at < 0) return;
      const length = /content-length: *(\d+)/i.exec(buf.slice(0, at))?.[1];
      if (length !== undefined && Buffer.byteLength(buf.slice(at + 4), 'latin1') < Number(length)) return;
      const head = buf.slice(0, at);
      buf = '';
      const a = answer(head);
      if (a.end === true) socket.end(a.bytes, 'latin1');
      else socket.write(a.bytes, 'latin1');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
