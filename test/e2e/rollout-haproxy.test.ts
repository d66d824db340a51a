// A rollout rehearsed: HAProxy in front of two `sluice serve` replicas (file mode, a real upstream),
// health-checking each replica's `/ready` on its health port every 150 ms, as a Service's endpoints
// follow readiness. Under steady load, one replica gets SIGTERM (it fails readiness at once, keeps
// serving for --drain-delay, then drains and exits 0), a replacement starts and HAProxy is told its
// address through its runtime API (as endpoints change), and no request fails. Skips, saying so,
// without haproxy (Debian's package; .ci/run installs it).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';

const haproxyMissing = spawnSync('haproxy', ['-v'], { stdio: 'ignore' }).status === 0 ? false : 'haproxy is not installed (apt-get install haproxy; .ci/run does)';
const HOST = 'shop.example.com';
const DRAIN_DELAY_S = 2;

const port = (addr: string): number => Number(addr.slice(addr.lastIndexOf(':') + 1));

/** A free loopback port for HAProxy's frontend (its config names a port; it cannot report one it chose). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const p = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}

/** One command on HAProxy's runtime API (the stats socket), its answer. */
function runtime(sock: string, cmd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect(sock);
    let out = '';
    c.setTimeout(3000, () => c.destroy(new Error(`runtime API: no answer to ${cmd}`)));
    c.on('connect', () => c.write(`${cmd}\n`));
    c.on('data', (d: Buffer) => (out += d));
    c.on('end', () => resolve(out));
    c.on('error', reject);
  });
}

/** server name -> { status, served } from `show stat` (CSV). */
async function serverStats(sock: string): Promise<Map<string, { status: string; served: number }>> {
  const csv = await runtime(sock, 'show stat');
  const [head, ...rows] = csv.trim().split('\n');
  const cols = head!.replace(/^# /, '').split(',');
  const [pxname, svname, status, stot] = ['pxname', 'svname', 'status', 'stot'].map((c) => cols.indexOf(c));
  const out = new Map<string, { status: string; served: number }>();
  for (const r of rows) {
    const f = r.split(',');
    if (f[pxname!] === 'replicas') out.set(f[svname!]!, { status: f[status!]!, served: Number(f[stot!]) });
  }
  return out;
}

async function waitFor(what: string, boundMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${boundMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Requests in a loop on `workers` keep-alive connections until stopped; every answer but a 200 counts as failed. */
function steadyLoad(frontPort: number, workers: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: workers });
  const result = { ok: 0, failed: [] as string[] };
  let running = true;
  const one = () =>
    new Promise<void>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port: frontPort, path: '/', headers: { host: HOST }, agent, timeout: 5000 }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) result.ok++;
          else result.failed.push(`status ${res.statusCode}`);
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => {
        result.failed.push(e.message);
        resolve();
      });
    });
  const loops = Array.from({ length: workers }, async () => {
    while (running) await one();
  });
  return {
    result,
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return result;
    },
  };
}

describe('rollout behind HAProxy', { skip: haproxyMissing }, () => {
  let cfg: ConfigDir;
  let up: Upstream;
  let dir: string;
  let haproxy: ChildProcess | undefined;
  const replicas: SluiceProcess[] = [];
  const serve = async (): Promise<SluiceProcess> => {
    const p = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--health', '127.0.0.1:0', '--drain-delay', String(DRAIN_DELAY_S)], ['http', 'local', 'admin', 'health']);
    replicas.push(p);
    return p;
  };

  before(async () => {
    up = await startUpstream('shop');
    cfg = await ConfigDir.create();
    await cfg.write('shop.yaml', [...backend('shop', [{ ip: '127.0.0.1', port: up.port }]), ingress('shop', [{ hosts: [HOST], paths: [{ splits: [{ service: 'shop' }] }] }])]);
    dir = mkdtempSync(join(tmpdir(), 'sluice-rollout-'));
  });
  after(async () => {
    if (haproxy && haproxy.exitCode === null) {
      haproxy.kill('SIGKILL');
      await once(haproxy, 'exit');
    }
    await Promise.all(replicas.map((p) => p.stop('SIGKILL')));
    await up?.close();
    await cfg?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('SIGTERM one of two replicas under load, start a replacement: zero failed requests', async () => {
    const [a, b] = await Promise.all([serve(), serve()]);
    const front = await freePort();
    const sock = join(dir, 'admin.sock');
    const server = (name: string, p: SluiceProcess) => `  server ${name} 127.0.0.1:${port(p.addresses.http!)} check port ${port(p.addresses.health!)}`;
    writeFileSync(
      join(dir, 'haproxy.cfg'),
      [
        'global',
        `  stats socket ${sock} mode 600 level admin`,
        'defaults',
        '  mode http',
        '  timeout connect 2s',
        '  timeout client 10s',
        '  timeout server 10s',
        // A connection refused after the drain (HAProxy not yet told) is retried on another replica.
        '  retries 3',
        '  option redispatch',
        'frontend front',
        `  bind 127.0.0.1:${front}`,
        '  default_backend replicas',
        'backend replicas',
        '  balance roundrobin',
        // One request per server connection: a replica closing idle connections as it drains is never raced.
        '  option http-server-close',
        '  option httpchk GET /ready',
        '  http-check expect status 200',
        '  default-server inter 150ms fall 2 rise 1',
        server('a', a),
        server('b', b),
        // The replacement's slot: its address arrives through the runtime API, as endpoints would.
        '  server c 127.0.0.1:1 check port 1 disabled',
        '',
      ].join('\n'),
    );
    haproxy = spawn('haproxy', ['-f', join(dir, 'haproxy.cfg'), '-db'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let haproxyErr = '';
    haproxy.stderr!.on('data', (d: Buffer) => (haproxyErr += d));
    await waitFor('HAProxy sees both replicas UP', 15_000, async () => {
      if (haproxy!.exitCode !== null) throw new Error(`haproxy exited: ${haproxyErr}`);
      const s = await serverStats(sock).catch(() => undefined);
      return s?.get('a')?.status === 'UP' && s.get('b')?.status === 'UP';
    });

    const load = steadyLoad(front, 4);
    await waitFor('load flowing', 10_000, async () => load.result.ok >= 50);
    const exited = once(a.child, 'exit') as Promise<[number | null]>;
    a.child.kill('SIGTERM');
    await waitFor('HAProxy marks the terminating replica DOWN (its /ready fails)', 5_000, async () => (await serverStats(sock)).get('a')?.status.startsWith('DOWN') === true);
    assert.equal(a.child.exitCode, null, 'still serving during the drain delay when HAProxy notices');

    const c = await serve();
    await runtime(sock, `set server replicas/c addr 127.0.0.1 port ${port(c.addresses.http!)}`);
    await runtime(sock, `set server replicas/c check-port ${port(c.addresses.health!)}`);
    await runtime(sock, 'set server replicas/c state ready');
    await waitFor('HAProxy sees the replacement UP', 10_000, async () => (await serverStats(sock)).get('c')?.status === 'UP');
    const [code] = await exited;
    assert.equal(code, 0, 'the terminated replica drained and exited 0');
    const servedByC = (await serverStats(sock)).get('c')!.served;
    await waitFor('the replacement serves', 10_000, async () => (await serverStats(sock)).get('c')!.served > servedByC + 20);

    const result = await load.stop();
    assert.deepEqual(result.failed, [], `${result.failed.length} of ${result.ok + result.failed.length} requests failed`);
    assert.ok(result.ok > 200, `steady load: ${result.ok} requests`);
  });
});
