// Which exchanges get an access log line: `--access-log-sample-rate` keeps a share of the lines
// for ordinary answers and every line of a failure (5xx, or an Envoy response flag), and
// `--access-log-listeners` names the listeners that log at all. Bad values are flag errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accessLogFilter } from '../../src/observe/access-log-filter.ts';
import type { AccessEntry, LoggedExchange } from '../../src/observe/access-log-entry.ts';

function entry(listener: string, status: number, decided = 'forward'): AccessEntry {
  const x = { listener, from: 0, method: 'GET', authority: 'a', target: '/', raw: [], clientAddress: undefined, grpcType: undefined, replyGrpc: false, ingress: 'default/a', clusterName: 'default/a:80', endpoint: undefined, decided, requestId: '', startedAt: 0 } satisfies LoggedExchange;
  return { x, status, outcome: undefined, endedAt: 1 };
}

describe('access log filter', () => {
  it('every listener and every line by default', () => {
    const f = accessLogFilter({});
    assert.equal(f, undefined, 'no filter at all: nothing to check per request');
  });

  it('a sample rate keeps that share of ordinary lines, decided by the random draw', () => {
    let draw = 0;
    const f = accessLogFilter({ sampleRate: '0.25' }, () => draw)!;
    draw = 0.2;
    assert.equal(f.keeps(entry('http', 200)), true);
    draw = 0.3;
    assert.equal(f.keeps(entry('http', 200)), false);
    assert.equal(f.keeps(entry('http', 404)), false, 'a 4xx from the upstream is the application\'s answer');
  });

  it('failures are always logged, whatever the rate: 5xx and any response flag', () => {
    const f = accessLogFilter({ sampleRate: '0' }, () => 0.99)!;
    assert.equal(f.keeps(entry('http', 503)), true);
    assert.equal(f.keeps(entry('http', 502)), true);
    assert.equal(f.keeps(entry('http', 404, 'not-found')), true, 'NR');
    assert.equal(f.keeps(entry('http', 429)), true, 'RL');
    assert.equal(f.keeps(entry('http', 499)), true, 'DC');
    assert.equal(f.keeps(entry('http', 200)), false);
  });

  it('listeners: the names given, `gateway` for every Gateway port', () => {
    const f = accessLogFilter({ listeners: 'local,gateway' })!;
    assert.equal(f.listens('local'), true);
    assert.equal(f.listens('http'), false);
    assert.equal(f.listens('https'), false);
    assert.equal(f.listens('gateway/0.0.0.0:8080'), true);
    const one = accessLogFilter({ listeners: 'gateway/0.0.0.0:8080' })!;
    assert.equal(one.listens('gateway/0.0.0.0:8080'), true);
    assert.equal(one.listens('gateway/0.0.0.0:8443'), false);
    assert.equal(one.keeps(entry('gateway/0.0.0.0:8080', 200)), true);
    assert.equal(one.keeps(entry('http', 503)), false, 'a listener that does not log drops even failures');
  });

  it('bad values name the flag', () => {
    for (const v of ['2', '-0.1', 'half', '']) assert.throws(() => accessLogFilter({ sampleRate: v }), /--access-log-sample-rate: .* 0 to 1/);
    assert.throws(() => accessLogFilter({ listeners: 'http,web' }), /--access-log-listeners: "web"/);
    assert.throws(() => accessLogFilter({ listeners: 'gateway/8080' }), /--access-log-listeners: "gateway\/8080"/);
    assert.throws(() => accessLogFilter({ listeners: '' }), /--access-log-listeners/);
  });
});
