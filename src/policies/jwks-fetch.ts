// Fetches a JSON Web Key Set over HTTP(S): bounded in time and in size (a hostile or broken JWKS
// endpoint cannot hold memory or a request), and checked to be a key set before it is used.
import http from 'node:http';
import https from 'node:https';
import type { JSONWebKeySet } from 'jose';

/** Bytes of JWKS document read; the largest real sets (many RSA keys) are a few tens of KiB. */
export const MAX_JWKS_BYTES = 1024 * 1024;

export function fetchJwks(uri: string, timeoutMs: number): Promise<JSONWebKeySet> {
  return new Promise((resolve, reject) => {
    const u = new URL(uri);
    const get = u.protocol === 'https:' ? https.get : http.get;
    const req = get(u, { headers: { accept: 'application/json' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`JWKS ${uri}: status ${res.statusCode}`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (d: Buffer) => {
        size += d.length;
        if (size > MAX_JWKS_BYTES) return req.destroy(new Error(`JWKS ${uri}: larger than ${MAX_JWKS_BYTES} bytes`));
        chunks.push(d);
      });
      res.on('error', reject);
      res.on('end', () => {
        try {
          resolve(asKeySet(JSON.parse(Buffer.concat(chunks).toString('utf8')), uri));
        } catch (err) {
          reject(err);
        }
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`JWKS ${uri}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** `doc` when it is a key set ({ keys: [objects] }); jose checks each key when it is used. */
export function asKeySet(doc: unknown, where: string): JSONWebKeySet {
  const keys = (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'object' && k !== null && !Array.isArray(k))) {
    throw new Error(`JWKS ${where}: not a key set ({"keys": [...]})`);
  }
  return { keys } as JSONWebKeySet;
}
