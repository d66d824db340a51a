// One request per front end of `sluice serve`, each with a real client: node:http (HTTP/1.1),
// node:https (HTTP/1.1 over TLS, ALPN http/1.1), node:http2 (h2c with prior knowledge, h2 over
// TLS by ALPN) and a raw socket for WebSocket upgrades. Every request is bounded in time.
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import type { PeerCertificate, TLSSocket } from 'node:tls';

export interface ClientRequest {
  /** host:port of the listener */
  readonly address: string;
  readonly authority: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
}

export interface ClientReply {
  /** 0: the TLS handshake failed */
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** TLS: first DNS name of the certificate served; null when the handshake failed */
  readonly certificate?: string | null;
}

export type Client = (req: ClientRequest) => Promise<ClientReply>;

const BOUND_MS = 10_000;

function split(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
}

const sniOf = (authority: string) => authority.replace(/:\d*$/, '').toLowerCase();

function firstDnsName(cert: PeerCertificate | undefined): string | null {
  const san = cert?.subjectaltname ?? '';
  const m = /DNS:([^,\s]+)/.exec(san);
  return m ? m[1]! : null;
}

function flatten(headers: http.IncomingHttpHeaders | http2.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !k.startsWith(':')) out[k] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

const plainAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });
// No session resumption: a resumed TLS session shows no peer certificate, and the SNI cases read it.
const tlsAgent = new https.Agent({ keepAlive: true, maxSockets: 8, maxCachedSessions: 0 });

/** Closes what the clients keep open between requests. */
export function closeClients(): void {
  plainAgent.destroy();
  tlsAgent.destroy();
  for (const s of sessions.values()) s.destroy();
  sessions.clear();
}

function h1(req: ClientRequest, secure: boolean): Promise<ClientReply> {
  const { host, port } = split(req.address);
  return new Promise((resolve, reject) => {
    const options: https.RequestOptions = {
      host,
      port,
      path: req.path,
      headers: { ...(req.headers as http.OutgoingHttpHeaders), host: req.authority },
      agent: secure ? tlsAgent : plainAgent,
      ...(secure ? { servername: sniOf(req.authority), rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] } : {}),
    };
    const r = (secure ? https : http).request(options, (res) => {
      // Read now: the socket goes back to the agent once the body has ended.
      const certificate = secure ? firstDnsName((res.socket as TLSSocket).getPeerCertificate()) : undefined;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: flatten(res.headers), body, ...(secure ? { certificate } : {}) });
      });
      res.on('error', reject);
    });
    r.setTimeout(BOUND_MS, () => r.destroy(new Error(`request timed out after ${BOUND_MS} ms`)));
    r.on('error', (err: NodeJS.ErrnoException) => {
      // A refused handshake (no certificate for the SNI) is an outcome, not a failure of the test.
      if (secure && /alert|handshake|ECONNRESET|socket hang up/i.test(`${err.code} ${err.message}`)) resolve({ status: 0, headers: {}, body: '', certificate: null });
      else reject(err);
    });
    r.end();
  });
}

const sessions = new Map<string, http2.ClientHttp2Session>();

function session(address: string, sni: string | undefined): Promise<http2.ClientHttp2Session> {
  const key = `${address}|${sni ?? ''}`;
  const open = sessions.get(key);
  if (open && !open.closed && !open.destroyed) return Promise.resolve(open);
  return new Promise((resolve, reject) => {
    const s = sni
      ? http2.connect(`https://${address}`, { servername: sni, rejectUnauthorized: false, ALPNProtocols: ['h2'] })
      : http2.connect(`http://${address}`);
    const timer = setTimeout(() => { s.destroy(); reject(new Error('h2 connect timed out')); }, BOUND_MS);
    s.once('connect', () => { clearTimeout(timer); sessions.set(key, s); resolve(s); });
    s.once('error', (err) => { clearTimeout(timer); reject(err); });
    s.on('close', () => { if (sessions.get(key) === s) sessions.delete(key); });
  });
}

async function h2(req: ClientRequest, secure: boolean): Promise<ClientReply> {
  const sni = secure ? sniOf(req.authority) : undefined;
  let s: http2.ClientHttp2Session;
  try {
    s = await session(req.address, sni);
  } catch (err) {
    if (secure) return { status: 0, headers: {}, body: '', certificate: null };
    throw err;
  }
  const certificate = secure ? firstDnsName((s.socket as TLSSocket).getPeerCertificate()) : undefined;
  const headers: http2.OutgoingHttpHeaders = { ':method': 'GET', ':path': req.path, ':authority': req.authority, ':scheme': secure ? 'https' : 'http' };
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = typeof v === 'string' ? v : [...v];
  return new Promise((resolve, reject) => {
    const stream = s.request(headers, { endStream: true });
    stream.setTimeout(BOUND_MS, () => stream.close(http2.constants.NGHTTP2_CANCEL));
    let status = 0;
    let got: Record<string, string> = {};
    let body = '';
    stream.on('response', (h) => { status = Number(h[':status']); got = flatten(h); });
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => (body += d));
    stream.on('end', () => resolve({ status, headers: got, body, ...(secure ? { certificate } : {}) }));
    stream.on('close', () => { if (status === 0) reject(new Error(`h2 stream closed without a response (code ${stream.rstCode})`)); });
    stream.on('error', reject);
  });
}

/**
 * A WebSocket upgrade on a raw socket; the upgrade-echo upstream answers 101 and then writes what
 * it received as JSON and closes, so the whole exchange is read until the socket closes.
 */
function upgrade(req: ClientRequest): Promise<ClientReply> {
  const { host, port } = split(req.address);
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => sock.destroy(new Error('upgrade timed out')), BOUND_MS);
    sock.on('connect', () => {
      const lines = [`GET ${req.path} HTTP/1.1`, `Host: ${req.authority}`, 'Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='];
      for (const [k, v] of Object.entries(req.headers)) for (const one of typeof v === 'string' ? [v] : v) lines.push(`${k}: ${one}`);
      sock.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    sock.on('data', (d: Buffer) => {
      chunks.push(d);
      // A reply Sluice made itself (not 101) may leave the connection open: stop once it is whole.
      const text = Buffer.concat(chunks).toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end >= 0 && !text.startsWith('HTTP/1.1 101')) {
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, end));
        if (length && text.length >= end + 4 + Number(length[1])) sock.end();
      }
    });
    sock.on('error', (err) => { clearTimeout(timer); reject(err); });
    sock.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const end = text.indexOf('\r\n\r\n');
      const head = end >= 0 ? text.slice(0, end).split('\r\n') : [];
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head[0] ?? '')?.[1] ?? NaN);
      if (!Number.isFinite(status)) { reject(new Error(`no HTTP response to the upgrade: ${JSON.stringify(text.slice(0, 200))}`)); return; }
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
      }
      resolve({ status, headers, body: text.slice(end + 4) });
    });
  });
}

export const CLIENTS = {
  h1: (req: ClientRequest) => h1(req, false),
  h1Tls: (req: ClientRequest) => h1(req, true),
  h2c: (req: ClientRequest) => h2(req, false),
  h2Tls: (req: ClientRequest) => h2(req, true),
  upgrade,
} satisfies Record<string, Client>;
