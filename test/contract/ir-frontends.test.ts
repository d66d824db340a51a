// The IR routing contract (ir-cases.ts) against every front end: the HTTP/1.1 fast path,
// node:http, HTTP/2 cleartext, h2 and HTTP/1.1 over TLS, and WebSocket upgrades. Two in-process
// data planes (with and without the fast path) serve the table's virtual host on a plain and a TLS
// Gateway API port, from a hand-built snapshot, to real echo upstreams.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeCert } from '../proxy/certs.ts';
import { freePort, port, type PortsUnderTest, startPorts, tlsCert } from '../proxy/gateway-ports-helpers.ts';
import type { Upstream } from '../support/upstream.ts';
import { closeClients } from './clients.ts';
import { applies, type Frontend, FRONTENDS, observed, startEchoUpstream } from './frontends.ts';
import { IR_CASES, IR_CERT_NAMES, IR_UPSTREAMS, type IrUpstream, irClusters, irVirtualHost } from './ir-cases.ts';
import { assertOutcome, type Observed } from './outcome.ts';

interface Served {
  readonly plane: PortsUnderTest;
  readonly plain: string;
  readonly tls: string;
}

describe('IR routing contract: every front end', () => {
  const ups = new Map<IrUpstream, Upstream>();
  const planes = new Map<Frontend['gateway'], Served>();
  let certDir: string;

  before(async () => {
    for (const name of IR_UPSTREAMS) ups.set(name, await startEchoUpstream(name));
    const ports = Object.fromEntries([...ups].map(([n, u]) => [n, u.port])) as Record<IrUpstream, number>;
    certDir = await mkdtemp(join(tmpdir(), 'sluice-ir-contract-'));
    const pair = makeCert(certDir, 'wildcard', [...IR_CERT_NAMES]);
    for (const gateway of ['fast', 'node'] as const) {
      const plane = startPorts({ fastPath: gateway === 'fast' });
      const [p, s] = [await freePort(), await freePort()];
      const plainPort = port(p, 'HTTP');
      const tlsPort = port(s, 'HTTPS', [], ['ir/wildcard']);
      await plane.publish({
        ports: [
          { ...plainPort, virtualHosts: [irVirtualHost(plainPort.name)] },
          { ...tlsPort, virtualHosts: [irVirtualHost(tlsPort.name)] },
        ],
        clusters: irClusters(ports),
        tls: [tlsCert('ir/wildcard', [...IR_CERT_NAMES], pair)],
      });
      planes.set(gateway, { plane, plain: `127.0.0.1:${p}`, tls: `127.0.0.1:${s}` });
    }
  });

  after(async () => {
    closeClients();
    await Promise.all([...planes.values()].map((s) => s.plane.stop()));
    await Promise.all([...ups.values()].map((u) => u.close()));
    if (certDir) await rm(certDir, { recursive: true, force: true });
  });

  for (const f of FRONTENDS) {
    describe(f.name, () => {
      for (const c of IR_CASES.filter((x) => applies(x, f))) {
        it(c.name, { todo: c.todo?.[f.name] }, async () => {
          const served = planes.get(f.gateway)!;
          const address = f.secure ? served.tls : served.plain;
          const seen: Observed[] = [];
          for (let i = 0; i < (c.repeat ?? 1); i++) {
            const start = performance.now();
            const reply = await f.client({ address, authority: c.host, path: c.path ?? '/', headers: c.headers ?? {} });
            seen.push(observed(reply, f.upgrade === true, performance.now() - start));
          }
          assertOutcome(c, seen, (v) => v);
        });
      }
    });
  }
});
