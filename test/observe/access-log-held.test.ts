// What the access log keeps once a batch of lines is made: nothing of the lines' requests (the
// pooled copies let go of them), and not the last line's endpoint (a Service's endpoint removed
// from the configuration must not live on until the next line). WeakRefs and full collections: counts,
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
  it('gives the format the copy itself as the entry (no entry filled per line), and keeps none of the request\'s objects once its line is made', async () => {
    const seen: AccessEntry[] = [];
    const log = new AccessLog((e) => {
      assert.equal(e.x, e, 'the copy is its own entry');
      seen.push(e);
      return 'line';
    }, fs.openSync(devNull, 'a'), true);
    let raw: string[] | undefined = ['host', 'a.example.com', 'user-agent', 'ua/1'];
    const held = new WeakRef(raw);
    log.record({ ...exchange(undefined), raw }, 200, undefined);
    raw = undefined;
    log.flush();
    assert.equal(seen.length, 1);
    await new Promise((r) => setImmediate(r));
    collectAll();
    assert.equal(held.deref(), undefined, 'the header list is not held past its line');
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
