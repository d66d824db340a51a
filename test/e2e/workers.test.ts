// `sluice serve --workers 2` in file mode: the primary reads and translates, two workers serve the
// listeners from the states it relays. An edit is served by every worker before /ready says so; admin
// /metrics sums the workers' request counts; a worker killed with SIGKILL comes back serving the
// current configuration; SIGTERM fails readiness first, then drains the workers and exits 0.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually } from '../support/http.ts';
import { startSluice, type SluiceProcess } from '../support/sluice.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { adminJson, fresh, freePort, promtoolCheck, readyStatus, waitForWorkers, waitReady, workersOf } from './workers-helpers.ts';

const HOST = 'w.example.com';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('sluice serve --workers 2 (file mode)', () => {
  let a: Upstream;
  let b: Upstream;
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let http = '';
  let admin = '';
  let health = '';
  /** requests sent through the gateway so far (for the metrics check) */
  let sent = 0;
  const config = (up: Upstream) => cfg.write('a.yaml', [...backend('up', [{ ip: '127.0.0.1', port: up.port }]), ingress('w', [{ hosts: [HOST], paths: [{ splits: [{ service: 'up' }] }] }])]);
  const send = async (count: number) => {
    sent += count;
    return fresh(http, HOST, count);
  };
  const configHash = async () => (await adminJson<{ hash: string }>(admin, '/config')).hash;

  before(async () => {
    [a, b] = await Promise.all([startUpstream('A'), startUpstream('B')]);
    cfg = await ConfigDir.create();
    await config(a);
    // Workers share listeners through the primary, so fixed ports are used.
    const [p1, p2, p3, p4, p5] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    [http, admin, health] = [`127.0.0.1:${p1}`, `127.0.0.1:${p3}`, `127.0.0.1:${p5}`];
    sluice = await startSluice(
      ['serve', '--config', cfg.dir, '--workers', '2', '--http', http, '--local', `127.0.0.1:${p2}`, '--admin', admin, '--https', `127.0.0.1:${p4}`, '--health', health, '--drain-delay', '3'],
      ['http', 'admin', 'health'],
    );
    await waitForWorkers(sluice, 2);
    await waitReady(admin);
  });
  after(async () => {
    await sluice?.stop('SIGKILL');
    await Promise.all([a?.close(), b?.close()]);
    await cfg?.cleanup();
  });

  it('serves from two worker processes; the primary serves admin and health only', async () => {
    const workers = await workersOf(admin);
    assert.equal(workers.length, 2);
    assert.ok(workers.every((w) => w.ready && w.pid !== sluice.child.pid), JSON.stringify(workers));
    const answers = await send(20);
    assert.ok(answers.every((r) => r.status === 200 && r.upstream === 'A'), JSON.stringify(answers));
    const after = await workersOf(admin);
    assert.ok(after.every((w) => (w.requests ?? 0) > 0), `both workers answered: ${JSON.stringify(after)}`);
  });

  it('an edit is served by every worker once /ready answers 200, each with the primary\'s snapshot', async () => {
    const before = await configHash();
    await config(b);
    assert.ok(await eventually(async () => (await configHash()) !== before, 10_000), 'the primary translated the edit');
    await waitReady(admin);
    await waitReady(health);
    const hash = await configHash();
    const workers = await workersOf(admin);
    assert.ok(workers.every((w) => w.hash === hash && w.seq === workers[0]!.seq), `every worker serves the primary's snapshot: ${hash} ${JSON.stringify(workers)}`);
    const counts = workers.map((w) => w.requests ?? 0);
    const answers = await send(20);
    assert.ok(answers.every((r) => r.status === 200 && r.upstream === 'B'), JSON.stringify(answers));
    const now = await workersOf(admin);
    assert.ok(now.every((w, i) => (w.requests ?? 0) > counts[i]!), `both workers served the edit: ${JSON.stringify(now)}`);
  });

  it('admin /metrics sums the requests of every worker; config metrics are the primary\'s', async () => {
    assert.ok((await send(20)).every((r) => r.status === 200));
    const text = await (await fetch(`http://${admin}/metrics`)).text();
    const total = [...text.matchAll(/^sluice_requests_total\{[^}]*listener="http"[^}]*\} (\d+)$/gm)].reduce((s, m) => s + Number(m[1]), 0);
    assert.equal(total, sent, text.split('\n').filter((l) => l.startsWith('sluice_requests_total')).join('\n'));
    const version = (await adminJson<{ version: number }>(admin, '/config')).version;
    assert.match(text, new RegExp(`^sluice_snapshot_version ${version}$`, 'm'), 'the snapshot version is not summed over the workers');
    assert.match(text, /^process_resident_memory_bytes \d+/m);
    const lint = await promtoolCheck(text);
    if (lint) assert.equal(lint.code, 0, `promtool check metrics:\n${lint.output}`);
  });

  it('a worker killed with SIGKILL (while admin asks every worker for metrics) is restarted and serves the current configuration', async () => {
    const before = await workersOf(admin);
    const victim = before[0]!.pid!;
    // /status and /metrics ask every worker over IPC: one may be gone before its exit is known.
    let asking = true;
    const ask = (async () => {
      while (asking) await Promise.all([fetch(`http://${admin}/status`), fetch(`http://${admin}/metrics`)].map((p) => p.then((r) => r.text(), () => '')));
    })();
    // A few times, each worker in turn, to meet the moment between a worker's death and its exit event.
    let replaced = true;
    const killed = [victim];
    for (let round = 0; round < 4 && replaced && sluice.child.exitCode === null; round++) {
      const pid = round === 0 ? victim : (await workersOf(admin))[round % 2]!.pid!;
      killed.push(pid);
      process.kill(pid, 'SIGKILL');
      replaced = await eventually(async () => {
        const w = await workersOf(admin);
        return w.every((x) => x.ready && !killed.includes(x.pid!)) && (await readyStatus(admin)) === 200;
      }, 20_000);
    }
    asking = false;
    await ask;
    assert.equal(sluice.child.exitCode, null, `the primary survives: ${sluice.stderr().slice(-2000)}`);
    assert.ok(replaced, `a new worker replaced ${victim}: ${JSON.stringify(await workersOf(admin))}`);
    const hash = await configHash();
    const workers = await workersOf(admin);
    assert.ok(workers.every((w) => w.hash === hash), JSON.stringify(workers));
    const answers = await send(20);
    assert.ok(answers.every((r) => r.status === 200 && r.upstream === 'B'), JSON.stringify(answers));
    const restarted = await workersOf(admin);
    assert.ok(restarted.every((w) => (w.requests ?? 0) > 0), `the restarted workers serve: ${JSON.stringify(restarted)}`);
    assert.match(sluice.stderr(), new RegExp(`worker \\d \\(pid ${victim}\\) exited with signal SIGKILL; restarting`));
    assert.ok(!sluice.lines.some((l) => l.includes('another snapshot than the primary')), 'no worker computed another snapshot');
  });

  it('SIGTERM fails readiness at once while the workers still serve, then drains them and exits 0', async () => {
    const pids = (await workersOf(admin)).map((w) => w.pid!);
    const exited = new Promise<number | null>((r) => sluice.child.once('exit', (code) => r(code)));
    sluice.child.kill('SIGTERM');
    assert.ok(await eventually(async () => (await readyStatus(health)) === 503, 2_000), 'the health port fails /ready at once');
    const during = await send(4);
    assert.ok(during.every((r) => r.status === 200), `still served during the drain delay: ${JSON.stringify(during)}`);
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000))]);
    assert.equal(code, 0, sluice.stderr());
    for (const pid of pids) assert.equal(alive(pid), false, `worker ${pid} is gone`);
  });
});
