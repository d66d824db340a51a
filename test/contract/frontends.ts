// What the front-end runs of the contract tables share: the front ends and their clients, which
// cases each runs, the echo upstreams (they report the request they received; an upgrade gets a
// 101, then that report, then a close) and how a client's reply reads in the contract's terms.
import assert from 'node:assert/strict';
import type http from 'node:http';
import type net from 'node:net';
import { type EchoReply, type Upstream, startUpstream } from '../support/upstream.ts';
import type { ContractCase, Implementation, UpstreamName } from './cases.ts';
import { type Client, type ClientReply, CLIENTS } from './clients.ts';
import type { Observed } from './outcome.ts';

export interface Frontend {
  readonly name: Exclude<Implementation, 'xds'>;
  readonly gateway: 'fast' | 'node';
  readonly secure: boolean;
  readonly client: Client;
  /** runs only cases that make sense as an upgrade */
  readonly upgrade?: boolean;
}

export const FRONTENDS: readonly Frontend[] = [
  { name: 'h1', gateway: 'fast', secure: false, client: CLIENTS.h1 },
  { name: 'h1-node', gateway: 'node', secure: false, client: CLIENTS.h1 },
  { name: 'h2c', gateway: 'fast', secure: false, client: CLIENTS.h2c },
  { name: 'h2-tls', gateway: 'fast', secure: true, client: CLIENTS.h2Tls },
  { name: 'h1-tls', gateway: 'fast', secure: true, client: CLIENTS.h1Tls },
  { name: 'h1-tls-node', gateway: 'node', secure: true, client: CLIENTS.h1Tls },
  { name: 'ws', gateway: 'fast', secure: false, client: CLIENTS.upgrade, upgrade: true },
];

export function applies(c: ContractCase, f: Frontend): boolean {
  // --no-normalize-path is one flag for every listener: one more gateway (with the fast path) covers it.
  if (c.normalize === false && f.gateway !== 'fast') return false;
  if (c.only && !c.only.includes(f.name)) return false;
  if (f.upgrade && c.upgrade === false) return false;
  if (f.secure) return c.listener !== 'local' && c.scheme !== 'http';
  return c.scheme !== 'https';
}

/** An echo upstream that also takes upgrades: 101, then the request it received as JSON, then a close. */
export async function startEchoUpstream(name: UpstreamName): Promise<Upstream> {
  const up = await startUpstream(name);
  up.server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => {
    const reply: EchoReply = { name, method: req.method!, url: req.url!, headers: req.headers, rawHeaders: req.rawHeaders, bodyBytes: 0 };
    up.requests.push(reply);
    socket.end(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Upstream: ${name}\r\n\r\n${JSON.stringify(reply)}`);
  });
  return up;
}

/**
 * What the client saw, in the contract's terms; an upgrade's 101 counts as the 200 of a forward.
 * `heldMs`: how long the answer took.
 */
export function observed(reply: ClientReply, upgrade: boolean, heldMs?: number): Observed {
  const status = upgrade && reply.status === 101 ? 200 : reply.status;
  const base = { status, responseHeaders: reply.headers, location: reply.headers.location, ...(reply.certificate !== undefined ? { certificate: reply.certificate } : {}), ...(heldMs !== undefined ? { heldMs } : {}) };
  if (reply.headers['x-upstream'] === undefined) return { ...base, body: reply.body };
  // An upstream that answered is the upgrade-echo one only if the upgrade went through.
  if (upgrade) assert.equal(reply.status, 101, 'a forwarded upgrade is answered 101 by the upstream');
  const echo = JSON.parse(reply.body) as EchoReply;
  const upstreamHeaders: Record<string, string> = {};
  for (const [k, v] of Object.entries(echo.headers)) if (v !== undefined) upstreamHeaders[k] = Array.isArray(v) ? v.join(', ') : v;
  return { ...base, upstream: echo.name, upstreamPath: echo.url, upstreamHeaders };
}
