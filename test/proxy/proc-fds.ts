// A child process's open connections, read from /proc: how tests see descriptors leak.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed between readdir and readlink
    }
  }
  return inodes;
}

/**
 * TCP connections process `pid` holds whose local port is `port` (connections accepted on a
 * listener, in any state but LISTEN: CLOSE_WAIT ones count).
 */
export function acceptedConnections(pid: number, port: number): number {
  const inodes = socketInodes(pid);
  let n = 0;
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const localPort = parseInt(f[1]!.slice(f[1]!.lastIndexOf(':') + 1), 16);
      if (localPort === port && f[3] !== '0A' && inodes.has(f[9]!)) n++;
    }
  }
  return n;
}

export function portOf(addr: string): number {
  return Number(addr.slice(addr.lastIndexOf(':') + 1));
}
