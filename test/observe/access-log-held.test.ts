// What the access log keeps once a batch of lines is made: nothing of the lines' exchanges (each
// copy is a new young object that dies with its line, not a pooled old one that a scavenge must
// scan the remembered set of), and not the last line's endpoint (a Service's endpoint removed from
// the configuration must not live on until the next line). WeakRefs and full collections: counts,
// not times.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AccessEntry, LoggedExchange } from '../../src/observe/access-log-entry.ts';
import { ENVOY_DEFAULT_FORMAT } from '../../src/observe/access-log-format.ts';
import { AccessLog, openAccessLog } from '../../src/observe/access-log.ts';
import type { Endpoint } from '../../src/snapshot/types.ts';
import { collectAll } from '../support/heap-held.ts';
import fs from 'node:fs';
import { devNull } from 'node:os';

function exchange(endpoint: Endpoint | undefined): LoggedExchange {
  const startedAt = performance.now();
  return {
    listener: 'http', from: 0, method: 'GET', authority: 'a.example.com', target: '/p', raw: ['host', 'a.example.com', 'user-agent', 'ua/1'],
    clientAddress: '10.0.0.1', grpcType: undefined, replyGrpc: false, ingress: 'ns/a', clusterName: 'ns/a:80', endpoint,
    decided: 'forward', requestId: 'rid-1', startedAt, bytesIn: 0, bytesOut: 2, firstByteAt: startedAt + 1, split: 0,
  };
}

describe('access log: what a made batch keeps', () => {
  it('makes each line from a new copy of its exchange, and keeps none of them once the lines are made', async () => {
    const seen: WeakRef<AccessEntry>[] = [];
    const log = new AccessLog((e) => {
      seen.push(new WeakRef(e));
      return 'line';
    }, fs.openSync(devNull, 'a'), true);
    const x = exchange(undefined);
    for (let i = 0; i < 3; i++) log.record(x, 200, undefined);
    log.flush();
    assert.equal(seen.length, 3);
    assert.equal(new Set(seen.map((r) => r.deref())).size, 3, 'a copy per line');
    await new Promise((r) => setImmediate(r));
    collectAll();
    assert.deepEqual(seen.map((r) => r.deref()), [undefined, undefined, undefined], 'no copy held past its line');
    await log.close();
  });

  for (const format of ['json', ENVOY_DEFAULT_FORMAT]) {
    it(`keeps no endpoint of the last line once its batch is made (${format === 'json' ? 'JSON' : 'template'})`, async () => {
      const log = openAccessLog(devNull, format)!;
      let endpoint: Endpoint | undefined = { address: '10.1.0.9', port: 8080 } as Endpoint;
      const held = new WeakRef(endpoint);
      log.record(exchange(endpoint), 200, undefined);
      log.record(exchange(endpoint), 200, undefined);
      log.flush();
      endpoint = undefined;
      await new Promise((r) => setImmediate(r));
      collectAll();
      assert.equal(held.deref(), undefined, 'the endpoint is not held by the log');
      await log.close();
    });
  }
});
