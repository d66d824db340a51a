// The refused port helper: outside the kernel's ephemeral range (so no bind to port 0, here or in
// a parallel test file, can take it) and refused on connect.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { describe, it } from 'node:test';
import { refusedPort } from './refused-port.ts';

function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return [lo!, hi!];
  } catch {
    return [32768, 60999];
  }
}

function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.setTimeout(5000, () => {
      s.destroy();
      resolve('timeout');
    });
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
}

describe('refusedPort', () => {
  it('is never a port a bind to 0 can hand out', () => {
    const [lo, hi] = ephemeralRange();
    for (let n = 0; n < 4; n++) {
      const p = refusedPort(n);
      assert.ok(p < lo || p > hi, `port ${p} is inside the ephemeral range ${lo}-${hi}`);
    }
  });

  it('gives distinct ports, each refusing a connect', async () => {
    const ports = [0, 1, 2, 3].map((n) => refusedPort(n));
    assert.equal(new Set(ports).size, ports.length);
    for (const p of ports) assert.equal(await connectOutcome(p), 'ECONNREFUSED', `port ${p}`);
  });

  it('says so when asked for more distinct ports than it has', () => {
    assert.throws(() => refusedPort(4), /only 4 distinct/);
  });
});
