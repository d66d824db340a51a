// Access log lines are made in batches (access-log-defer.ts), from copies of the exchanges taken
// when they finish: these check that nothing is made where an exchange finishes nor at each turn's
// end (no setImmediate per turn), that a batch's worth is made at once and the rest at the writer's
// flush interval or close, and that a line says what its exchange was at finish although the front
// end reuses the exchange object before the line is made.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, mock } from 'node:test';
import type { LoggedExchange } from '../../src/observe/access-log-entry.ts';
import { ENVOY_DEFAULT_FORMAT } from '../../src/observe/access-log-format.ts';
import { openAccessLog } from '../../src/observe/access-log.ts';
import { accessLogFilter } from '../../src/observe/access-log-filter.ts';
import { BATCH, LineBatch } from '../../src/observe/access-log-defer.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function exchange(): Mutable<LoggedExchange> {
  const startedAt = performance.now();
  return {
    listener: 'http', from: 0, method: 'GET', authority: 'a.example.com', target: '/first', raw: ['host', 'a.example.com', 'user-agent', 'ua-1'],
    clientAddress: '10.0.0.1', grpcType: undefined, replyGrpc: false, ingress: 'ns/a', clusterName: 'ns/a:80', endpoint: { address: '10.1.0.1', port: 8080 } as LoggedExchange['endpoint'],
    decided: 'forward', requestId: 'rid-1', startedAt, bytesIn: 1, bytesOut: 2, firstByteAt: startedAt + 1, split: 0,
  };
}

const turnEnd = (): Promise<void> => new Promise((r) => setImmediate(r));

async function lines(format: string, run: (log: NonNullable<ReturnType<typeof openAccessLog>>) => Promise<void>): Promise<string[]> {
  const file = join(tmpdir(), `sluice-access-defer-${process.pid}-${Date.now()}.log`);
  try {
    const log = openAccessLog(file, format)!;
    await run(log);
    await log.close();
    return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

describe('access log lines made in batches', () => {
  it('makes no line where the exchange finishes nor at the turn’s end, and every waiting line on flush', async () => {
    const got = await lines('json', async (log) => {
      for (let i = 0; i < 3; i++) {
        log.record({ ...exchange(), target: `/p${i}` }, 200, undefined);
        await turnEnd();
      }
      assert.equal(log.pending, 3, 'three turns ended and the three lines still wait');
      log.flush();
      assert.equal(log.pending, 0, 'the flush made them');
    });
    assert.deepEqual(got.map((l) => JSON.parse(l).path), ['/p0', '/p1', '/p2']);
  });

  it('makes lines at the end of a turn in which a batch gathered, once per batch however many turns it took, and asks for a flush once per batch', async () => {
    const made: string[] = [];
    let wakes = 0;
    const wake = (): boolean => {
      wakes++;
      return true;
    };
    const batch = new LineBatch((c) => made.push(c.target), wake);
    let i = 0;
    const add = (): void => batch.add({ ...exchange(), target: `/p${i++}` }, 200, undefined, 0);
    // A batch less one, one line a turn: none made.
    for (let t = 0; t < BATCH - 1; t++) {
      add();
      await turnEnd();
    }
    assert.equal(batch.batches, 0);
    assert.equal(batch.pending, BATCH - 1);
    // The batch's last line and more in one turn: all made when it ends, none where they finished.
    for (let k = 0; k < 10; k++) add();
    assert.equal(made.length, 0);
    await turnEnd();
    assert.equal(batch.batches, 1);
    assert.equal(made.length, BATCH + 9);
    add();
    await turnEnd();
    assert.equal(batch.pending, 1);
    batch.flush();
    assert.equal(batch.batches, 2);
    assert.equal(wakes, 2, 'one wake as each batch starts');
    assert.deepEqual(made, Array.from({ length: i }, (_, k) => `/p${k}`));
  });

  it('makes a lone line when the flush interval comes, without a close or another line', async () => {
    const file = join(tmpdir(), `sluice-access-defer-interval-${process.pid}-${Date.now()}.log`);
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const log = openAccessLog(file, 'json', { intervalMs: 200 })!;
      log.record(exchange(), 200, undefined);
      mock.timers.tick(199);
      assert.equal(log.pending, 1);
      mock.timers.tick(1);
      assert.equal(log.pending, 0, 'the interval made it');
      mock.timers.reset();
      await log.close();
      assert.equal(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length, 1);
    } finally {
      mock.timers.reset();
      fs.rmSync(file, { force: true });
    }
  });

  it('counts a line recorded after close as dropped at once', async () => {
    const log = openAccessLog('/dev/null', 'json')!;
    await log.close();
    log.record(exchange(), 200, undefined);
    assert.equal(log.pending, 0);
    assert.equal(log.dropped, 1);
  });

  it('writes each exchange as it was when it finished, though its object is reused before its line is made', async () => {
    for (const format of ['json', ENVOY_DEFAULT_FORMAT]) {
      const want: string[] = [];
      // The same lines made at once, one per turn: what each must say.
      const x = exchange();
      const second = (): void => {
        Object.assign(x, { target: '/second', authority: 'b.example.com', method: 'POST', raw: ['host', 'b.example.com', 'user-agent', 'ua-2'], requestId: 'rid-2', clientAddress: '10.0.0.2', ingress: 'ns/b', clusterName: 'ns/b:80', bytesIn: 7, bytesOut: 8, split: 1, endpoint: { address: 'fd00::2', port: 9090 }, decided: 'no-endpoints' });
      };
      want.push(
        ...(await lines(format, async (log) => {
          log.record(x, 200, undefined, x.startedAt + 2);
          await turnEnd();
          second();
          log.record(x, 503, undefined, x.startedAt + 3);
        })),
      );
      Object.assign(x, exchange(), { startedAt: x.startedAt, firstByteAt: x.firstByteAt });
      const got = await lines(format, async (log) => {
        log.record(x, 200, undefined, x.startedAt + 2);
        // The front end takes the next request's facts into the same object before the turn ends.
        second();
        log.record(x, 503, undefined, x.startedAt + 3);
        assert.equal(log.pending, 2);
      });
      assert.deepEqual(got, want, format);
      assert.notEqual(got[0], got[1]);
    }
  });

  it('samples when the exchange finishes, from the exchange as it is then', async () => {
    const filter = accessLogFilter({ sampleRate: '0' })!;
    const file = join(tmpdir(), `sluice-access-defer-sampled-${process.pid}-${Date.now()}.log`);
    try {
      const log = openAccessLog(file, 'json', { filter })!;
      const x = exchange();
      log.record(x, 200, undefined);
      log.record(x, 503, undefined);
      assert.equal(log.pending, 1, 'only the failure waits');
      await log.close();
      assert.deepEqual(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).status), [503]);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
