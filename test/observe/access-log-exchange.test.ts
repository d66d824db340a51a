// What the exchange core hands the access log when an exchange finishes, through an in-process
// gateway (fast path and node:http) and a real upstream: the end time it already measured for the
// request metric, so a logged request costs no clock read of its own (performance.now() is ~75 ns).
import assert from 'node:assert/strict';
import { devNull } from 'node:os';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Gateway } from '../../src/gateway.ts';
import { silentLogger } from '../../src/log.ts';
import type { LoggedExchange, LoggedOutcome } from '../../src/observe/access-log-entry.ts';
import { compileFormat } from '../../src/observe/access-log-format.ts';
import { AccessLog } from '../../src/observe/access-log.ts';
import { FileSource } from '../../src/sources/file.ts';
import { defaultTranslateOptions } from '../../src/translate/options.ts';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually, get } from '../support/http.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';

/** An access log that keeps what each record() call was given. */
class SpyLog extends AccessLog {
  readonly calls: { path: string; status: number; startedAt: number; endedAt: number | undefined }[] = [];

  override record(x: LoggedExchange, status: number, outcome: LoggedOutcome, endedAt?: number): void {
    this.calls.push({ path: x.target, status, startedAt: x.startedAt, endedAt });
    super.record(x, status, outcome, endedAt);
  }
}

describe('the exchange and its access log line', () => {
  let cfg: ConfigDir;
  let echo: Upstream;
  const gateways: Gateway[] = [];
  const logs: SpyLog[] = [];

  before(async () => {
    echo = await startUpstream('echo');
    cfg = await ConfigDir.create();
    await cfg.write('r.yaml', [ingress('r', [{ hosts: ['r.example.com'], paths: [{ splits: [{ service: 'echo' }] }] }]), ...backend('echo', [{ ip: '127.0.0.1', port: echo.port }])]);
    for (const fastPath of [true, false]) {
      const gw = await Gateway.start({ source: new FileSource({ dir: cfg.dir, watch: false }), translate: defaultTranslateOptions, http: { host: '127.0.0.1', port: 0 }, log: silentLogger(), fastPath, drainTimeout: 1000 });
      const log = new SpyLog(compileFormat('json'), fs.openSync(devNull, 'a'), true);
      gw.dataPlane.accessLog = log;
      gateways.push(gw);
      logs.push(log);
    }
  });

  after(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await Promise.all(logs.map((l) => l.close()));
    await echo?.close();
    await cfg?.cleanup();
  });

  it('hands the log the end time it measured, forwarded or answered locally, on either HTTP/1.1 front end', async () => {
    for (const [i, gw] of gateways.entries()) {
      const log = logs[i]!;
      const before = performance.now();
      assert.equal((await get(gw.addresses.http!, 'r.example.com', '/forwarded')).status, 200);
      assert.equal((await get(gw.addresses.http!, 'nowhere.example.com', '/local')).status, 404);
      assert.ok(await eventually(() => log.calls.length === 2, 5000), `two lines recorded (fast path: ${i === 0})`);
      for (const c of log.calls) {
        assert.equal(typeof c.endedAt, 'number', `${c.path}: the exchange passed its end time (fast path: ${i === 0})`);
        assert.ok(c.endedAt! >= c.startedAt && c.startedAt >= before && c.endedAt! <= performance.now(), `${c.path}: an end time within the request`);
      }
      assert.deepEqual(log.calls.map((c) => [c.path, c.status]), [['/forwarded', 200], ['/local', 404]]);
    }
  });

  it('reads the clock once per upstream response head, with the log off or on: the ttfb and the metric share it', async () => {
    for (const [i, gw] of gateways.entries()) {
      for (const on of [false, true]) {
        gw.dataPlane.accessLog = on ? logs[i] : undefined;
        // Warm: the connection to the upstream is open and pooled before counting.
        assert.equal((await get(gw.addresses.http!, 'r.example.com', '/warm')).status, 200);
        let headReads = 0;
        const now = performance.now;
        performance.now = function (this: Performance): number {
          // The caller: the fast path reader that parsed the head, node:http's head edit, or the upstream head metric.
          const caller = (new Error().stack ?? '').split('\n')[2] ?? '';
          if (/readResponse|responseHeaders|upstreamResponded/.test(caller)) headReads++;
          return now.call(this);
        };
        try {
          for (let n = 0; n < 3; n++) assert.equal((await get(gw.addresses.http!, 'r.example.com', `/counted-${n}`)).status, 200);
        } finally {
          performance.now = now;
          gw.dataPlane.accessLog = logs[i];
        }
        assert.equal(headReads, 3, `one read per response head (fast path: ${i === 0}, log ${on ? 'on' : 'off'})`);
      }
    }
  });
});
