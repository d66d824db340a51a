// A throwaway CA and certificates it signs, made with the openssl CLI (EC P-256: fast), for the
// xDS server's TLS and mTLS tests.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pem {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface TestPki {
  readonly dir: string;
  /** a CA named `name`; `issue` signs leaf certificates with it */
  ca(name: string): Pem & { issue(file: string, cn: string, sans: string[]): Pem };
  cleanup(): void;
}

export function makePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-xds-pki-'));
  const ssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe', timeout: 20_000 });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const pem = (file: string): Pem => ({
    cert: readFileSync(join(dir, `${file}.crt`)),
    key: readFileSync(join(dir, `${file}.key`)),
    certFile: join(dir, `${file}.crt`),
    keyFile: join(dir, `${file}.key`),
  });
  return {
    dir,
    ca(name) {
      ssl(['req', '-x509', ...ec, '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.crt`]);
      return {
        ...pem(name),
        issue(file, cn, sans) {
          ssl(['req', ...ec, '-subj', `/CN=${cn}`, '-keyout', `${file}.key`, '-out', `${file}.csr`]);
          const ext = sans.length ? `subjectAltName=${sans.join(',')}\n` : '';
          writeFileSync(join(dir, `${file}.ext`), ext);
          ssl(['x509', '-req', '-in', `${file}.csr`, '-CA', `${name}.crt`, '-CAkey', `${name}.key`, '-CAcreateserial',
            '-days', '2', '-out', `${file}.crt`, ...(ext ? ['-extfile', `${file}.ext`] : [])]);
          return pem(file);
        },
      };
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
