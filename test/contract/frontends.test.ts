// The routing contract against every front end of `sluice serve`: the HTTP/1.1 fast path,
// node:http (--no-fast-path), HTTP/2 cleartext with prior knowledge, h2 over TLS (ALPN),
// HTTP/1.1 over TLS (fast path and node:http) and the WebSocket upgrade path. Two gateways (with
// and without the fast path) are started once for the file, with real echo upstreams that report
// the request they received (for an upgrade: a 101, then that report, then a close).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeCert } from '../proxy/certs.ts';
import { ConfigDir } from '../support/config.ts';
import { eventually, get } from '../support/http.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import type { Upstream } from '../support/upstream.ts';
import { CASES, CERT_NAMES, type ContractPorts, contractConfig, UPSTREAMS, type UpstreamName } from './cases.ts';
import { closeClients } from './clients.ts';
import { applies, type Frontend, FRONTENDS, observed, startEchoUpstream } from './frontends.ts';
import { assertOutcome, type Observed } from './outcome.ts';
import { refusedPort } from '../support/refused-port.ts';

describe('routing contract: every front end of sluice serve', () => {
  const ups = new Map<UpstreamName, Upstream>();
  /** by front end gateway, and `raw`: the fast path with --no-normalize-path */
  const gateways = new Map<Frontend['gateway'] | 'raw', SluiceProcess>();
  const hashes = new Map<string, string>();
  let cfg: ConfigDir;
  let certDir: string;

  before(async () => {
    for (const name of UPSTREAMS) ups.set(name, await startEchoUpstream(name));
    const ports = { ...Object.fromEntries([...ups].map(([n, u]) => [n, u.port])), refused: refusedPort() } as ContractPorts;
    certDir = await mkdtemp(join(tmpdir(), 'sluice-contract-'));
    const certs = { wildcard: makeCert(certDir, 'wildcard', [...CERT_NAMES.wildcard]), secure: makeCert(certDir, 'secure', [...CERT_NAMES.secure]) };
    cfg = await ConfigDir.create();
    await cfg.write('contract.yaml', contractConfig(ports, certs));
    const listen = ['--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0'];
    const expect = ['http', 'https', 'local', 'admin'];
    const [fast, node, raw] = await Promise.all([
      startSluice(['serve', '--config', cfg.dir, ...listen], expect),
      startSluice(['serve', '--config', cfg.dir, ...listen, '--no-fast-path'], expect),
      startSluice(['serve', '--config', cfg.dir, ...listen, '--no-normalize-path'], expect),
    ]);
    gateways.set('fast', fast).set('node', node).set('raw', raw);
    for (const g of gateways.values()) {
      assert.ok(await eventually(async () => (await get(g.addresses.http!, 'hello.example.com')).status === 200, 10_000), 'the configuration is served');
    }
    const status = JSON.parse((await get(fast.addresses.admin!, 'admin', '/status')).body) as { ingresses: Array<{ namespace: string; name: string; hash: string }> };
    for (const i of status.ingresses) hashes.set(`${i.namespace}/${i.name}`, i.hash);
  });

  after(async () => {
    closeClients();
    await Promise.all([...gateways.values()].map((g) => g.stop()));
    await Promise.all([...ups.values()].map((u) => u.close()));
    await cfg?.cleanup();
    if (certDir) await rm(certDir, { recursive: true, force: true });
  });

  const resolve = (value: string) => (value.startsWith('$hash:') ? (hashes.get(value.slice(6)) ?? 'unknown ingress') : value);

  for (const f of FRONTENDS) {
    describe(f.name, () => {
      for (const c of CASES.filter((x) => applies(x, f))) {
        it(c.name, { todo: c.todo?.[f.name] }, async () => {
          const g = gateways.get(c.normalize === false ? 'raw' : f.gateway)!;
          const address = f.secure ? g.addresses.https! : c.listener === 'local' ? g.addresses.local! : g.addresses.http!;
          const seen: Observed[] = [];
          for (let i = 0; i < (c.repeat ?? 1); i++) {
            seen.push(observed(await f.client({ address, authority: c.host, path: c.path ?? '/', headers: c.headers ?? {} }), f.upgrade === true));
          }
          assertOutcome(c, seen, resolve);
        });
      }
    });
  }
});
