// `host:port` listener addresses as the CLI takes them.
import { SluiceError } from '../errors.ts';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Parses `host:port`, `[v6]:port` or `:port` (all interfaces). Port 0 picks a free port. */
export function parseAddress(value: string, flag: string): HostPort {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]*)):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) {
    throw new SluiceError('SLUICE_ERR_BAD_FLAG', `${flag}: "${value}" is not a host:port address (for example 127.0.0.1:8080)`);
  }
  const host = m[1] ?? (m[2] || '0.0.0.0');
  return { host, port };
}

export function formatAddress(a: { address: string; port: number }): string {
  return a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}
