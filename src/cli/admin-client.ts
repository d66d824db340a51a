// Reads a running gateway's admin endpoint (`--admin ADDR`) for `sluice get/describe/check/config
// dump`: JSON over plain HTTP, bounded in time and size, with the bearer token when one is given
// (`--token` or SLUICE_ADMIN_TOKEN). Every failure is one SluiceError line naming the address.
import http from 'node:http';
import { Option } from 'commander';
import { SluiceError } from '../errors.ts';
import { parseAddress } from '../net/address.ts';

export const DEFAULT_ADMIN = '127.0.0.1:9901';
const TIMEOUT_MS = 10_000;
// /config at 10,000 ingresses is tens of MB; more than this is not an admin answer.
const MAX_BYTES = 512 * 1024 * 1024;

export interface AdminFlags {
  admin: string;
  token?: string;
}

/** `--admin` and `--token`, shared by every command that reads a running gateway. */
export function adminOptions(): Option[] {
  return [
    new Option('--admin <addr>', "the gateway's admin endpoint (host:port)").default(DEFAULT_ADMIN),
    new Option('--token <token>', "the admin endpoint's bearer token (serve --admin-token-file)").env('SLUICE_ADMIN_TOKEN'),
  ];
}

export class AdminClient {
  readonly address: string;
  readonly #host: string;
  readonly #port: number;
  readonly #token: string | undefined;

  constructor(flags: AdminFlags) {
    const { host, port } = parseAddress(flags.admin, '--admin');
    this.address = flags.admin;
    this.#host = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
    this.#port = port;
    this.#token = flags.token === '' ? undefined : flags.token;
  }

  /** GET `path` as JSON; throws SLUICE_ERR_ADMIN when unreachable or not 200. */
  async json<T>(path: string): Promise<T> {
    const { status, body } = await this.#get(path);
    if (status === 401) throw new SluiceError('SLUICE_ERR_ADMIN', `the admin endpoint at ${this.address} wants a token: ${this.#token === undefined ? 'give --token or set SLUICE_ADMIN_TOKEN' : 'the one given was refused'}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new SluiceError('SLUICE_ERR_ADMIN', `${this.address}${path} did not answer JSON (status ${status}): is it a Sluice admin endpoint?`);
    }
    if (status !== 200) {
      const error = (parsed as { error?: unknown }).error;
      throw new SluiceError('SLUICE_ERR_ADMIN', `${this.address}${path} answered ${status}${typeof error === 'string' ? `: ${error}` : ''}`);
    }
    return parsed as T;
  }

  #get(path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const fail = (why: string) => reject(new SluiceError('SLUICE_ERR_ADMIN', `cannot reach the admin endpoint at ${this.address}: ${why}`));
      const req = http.get(
        { host: this.#host, port: this.#port, path, headers: this.#token === undefined ? {} : { authorization: `Bearer ${this.#token}` }, timeout: TIMEOUT_MS },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_BYTES) {
              req.destroy();
              fail(`answer larger than ${MAX_BYTES} bytes`);
            } else chunks.push(c);
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', (err) => fail(err.message));
        },
      );
      req.on('timeout', () => {
        req.destroy();
        fail(`no answer within ${TIMEOUT_MS / 1000} s`);
      });
      req.on('error', (err: NodeJS.ErrnoException) => fail(err.code ?? err.message));
    });
  }
}
