// One HTTP/2 cleartext session per upstream address, shared by calls and dropped when it closes,
// errors or gets GOAWAY; idle sessions close themselves so nothing lingers.
import http2 from 'node:http2';
import type { UpstreamAddress } from '../types.ts';

const IDLE_MS = 30_000;
const sessions = new Map<string, http2.ClientHttp2Session>();

function authorityOf(a: UpstreamAddress): string {
  return a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

/** The session to `a`, connecting when there is none usable. */
export function sessionTo(a: UpstreamAddress): http2.ClientHttp2Session {
  const key = authorityOf(a);
  const found = sessions.get(key);
  if (found && !found.closed && !found.destroyed) return found;
  const session = http2.connect(`http://${key}`);
  // The gateway's listeners keep the process alive; a pooled session must not hold up its exit.
  session.unref();
  const drop = () => {
    if (sessions.get(key) === session) sessions.delete(key);
  };
  session.on('error', drop);
  session.on('goaway', drop);
  session.on('close', drop);
  session.setTimeout(IDLE_MS, () => {
    drop();
    session.close();
  });
  sessions.set(key, session);
  return session;
}

/** Closes every session (process shutdown, tests). */
export function closeGrpcSessions(): void {
  for (const s of sessions.values()) s.destroy();
  sessions.clear();
}

export { authorityOf };
