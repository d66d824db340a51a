// The admin endpoint's bearer token (`serve --admin-token-file`). Everything but the health answers
// (/ready, /live: no configuration in them) needs `Authorization: Bearer <token>`. Tokens are
// compared through their SHA-256 digests with timingSafeEqual: constant time, whatever the length.
// A browser on /ui may send it as a cookie instead (ui-login.ts).
// The file is looked at again on each guarded request, so a rotated token (a mounted Secret is
// swapped by a rename) takes effect without a restart; a file gone bad keeps the last good token.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type http from 'node:http';
import { isIP } from 'node:net';
import { SluiceError } from '../errors.ts';
import { cookieToken } from './ui-login.ts';

/** Paths answered without a token. */
const OPEN_PATHS: ReadonlySet<string> = new Set(['/ready', '/live']);

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** The token the admin endpoint wants now. */
export interface AdminToken {
  digest(): Buffer;
}

/** Whether a request may see `path`: always when no token is set. */
export function authorized(token: AdminToken | undefined, req: http.IncomingMessage, path: string): boolean {
  if (token === undefined || OPEN_PATHS.has(path)) return true;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(req.headers.authorization ?? '');
  const presented = m?.[1] ?? cookieToken(req);
  return presented !== undefined && matches(token, presented);
}

/** Whether `presented` is the token (constant time). */
export function matches(token: AdminToken, presented: string): boolean {
  return timingSafeEqual(digest(presented), token.digest());
}

/** A token that never changes. */
export function fixedToken(token: string): AdminToken {
  const d = digest(token);
  return { digest: () => d };
}

/**
 * The token in `file`, re-read when the file's identity, size or time changes. `onKept` hears why a
 * changed file was not taken (the last good token stays).
 */
export function fileToken(file: string, onKept: (problem: string) => void = () => {}): AdminToken {
  let current = digest(readAdminToken(file));
  let seen = stamp(file);
  return {
    digest(): Buffer {
      const now = stamp(file);
      if (now !== seen) {
        seen = now;
        try {
          current = digest(readAdminToken(file));
        } catch (err) {
          onKept(`${(err as Error).message}; the last good token stays`);
        }
      }
      return current;
    },
  };
}

function stamp(file: string): string {
  try {
    const s = statSync(file, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'unreadable';
  }
}

export function answerUnauthorized(res: http.ServerResponse): void {
  const body = JSON.stringify({ error: 'this admin endpoint needs Authorization: Bearer <token> (serve --admin-token-file)' });
  res.writeHead(401, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'www-authenticate': 'Bearer realm="sluice-admin"' });
  res.end(body);
}

/** The token in `--admin-token-file` (surrounding whitespace dropped); a missing or empty file is a flag error. */
export function readAdminToken(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SluiceError('SLUICE_ERR_BAD_FLAG', `--admin-token-file: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const token = text.trim();
  if (token === '' || /\s/.test(token)) throw new SluiceError('SLUICE_ERR_BAD_FLAG', `--admin-token-file: ${file} must hold one token (no spaces), and not be empty`);
  return token;
}

/**
 * The token the admin endpoint at `host` requires: the file's when one is given; none on loopback;
 * elsewhere, refused without one unless `insecure` (--admin-insecure) says the network is trusted.
 */
export function adminTokenFromFlags(host: string, tokenFile: string | undefined, insecure: boolean, onKept?: (problem: string) => void): AdminToken | undefined {
  if (tokenFile !== undefined) return fileToken(tokenFile, onKept);
  if (isLoopbackHost(host) || insecure) return undefined;
  throw new SluiceError('SLUICE_ERR_BAD_FLAG', `--admin: ${host} is not a loopback address, and the admin endpoint shows the whole configuration: give --admin-token-file FILE (or --admin-insecure to serve it without a token)`);
}

/** 127.0.0.0/8, ::1 (also IPv4-mapped) and `localhost`: reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^::ffff:/, '');
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}
