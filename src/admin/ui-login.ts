// Letting a browser in to /ui when the admin endpoint wants a token: a browser cannot send a bearer
// header, so GET /ui without one answers a small form, and POST /ui/login with the right token sets
// it as an HttpOnly, SameSite=Strict cookie that the page's own data requests then carry
// (auth.ts accepts it like the header). The admin endpoint only reads, so the cookie grants
// nothing a cross-site page could use.
import type http from 'node:http';

export const UI_COOKIE = 'sluice-admin';
/** A token file holds one token: anything longer is not a login. */
const MAX_FORM_BYTES = 4096;

/** The token a request's `sluice-admin` cookie carries, if any. */
export function cookieToken(req: http.IncomingMessage): string | undefined {
  const header = req.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== UI_COOKIE) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

const FORM = `<!doctype html><html><head><meta charset="utf-8"><title>Sluice</title>
<style>body{font:15px system-ui,sans-serif;margin:15vh auto;max-width:22em}input{font:inherit;width:100%;margin:.4em 0;padding:.3em}</style></head>
<body><h1>Sluice</h1><p>This admin endpoint wants its token (<code>serve --admin-token-file</code>).</p>
<form method="post" action="/ui/login"><input type="password" name="token" autocomplete="current-password" autofocus required><input type="submit" value="Open the status page"></form></body></html>
`;

/** 401 with the login form. */
export function answerLoginForm(res: http.ServerResponse): void {
  res.writeHead(401, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(FORM), 'www-authenticate': 'Bearer realm="sluice-admin"', 'cache-control': 'no-store' });
  res.end(FORM);
}

/** Reads POST /ui/login's form; `check` says whether the token is the admin token. */
export async function answerLogin(req: http.IncomingMessage, res: http.ServerResponse, check: (token: string) => boolean): Promise<void> {
  const body = await readForm(req);
  if (body === undefined) {
    res.writeHead(413, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
    res.end('login form too large\n');
    return;
  }
  const token = new URLSearchParams(body).get('token') ?? '';
  if (token === '' || !check(token)) return answerLoginForm(res);
  res.writeHead(303, { location: '/ui', 'set-cookie': `${UI_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`, 'content-length': 0, 'cache-control': 'no-store' });
  res.end();
}

/** The body as text, or undefined past MAX_FORM_BYTES (the rest is not read). */
async function readForm(req: http.IncomingMessage): Promise<string | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > MAX_FORM_BYTES) return undefined;
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    n += chunk.length;
    if (n > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
