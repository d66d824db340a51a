// bench/scale-xds-holdings.ts: a bench ADS stream counts itself synced by what it holds, never by
// a quiet spell, and times an edit by the ACK of the response that carried the changed names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Holdings } from '../../bench/scale-xds-holdings.ts';
import type { Skimmed } from '../../bench/scale-xds-skim.ts';

const VHOST = 'type.googleapis.com/envoy.config.route.v3.VirtualHost';
const CLUSTER = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';

let nonce = 0;
const response = (type_url: string, names: string[], removed: string[] = []): Skimmed => ({
  type_url,
  version_info: '',
  nonce: String(++nonce),
  bytes: names.length * 100,
  resources: names.length,
  names,
  removed,
});
const wanted = new Map([
  [CLUSTER, new Set(['a', 'b'])],
  [VHOST, new Set(['external/x', 'external/y', 'local/x'])],
]);

describe('bench xDS client holdings', () => {
  it('a delta stream that has had a part of its answer is not synced, however long since the last response', async () => {
    const h = new Holdings(wanted, true);
    for (const r of [response(CLUSTER, ['a', 'b']), response(VHOST, ['external/x', 'external/y'])]) {
      h.received(r);
      h.acked(r.nonce, 1);
    }
    // The quiet spell the old bench waited for: nothing changes what the stream holds.
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(h.synced(), false);
    assert.equal(h.missing(), 1);
    const last = response(VHOST, ['local/x']);
    h.received(last);
    assert.equal(h.synced(), false, 'a response not yet ACKed');
    h.acked(last.nonce, 2);
    assert.equal(h.synced(), true);
  });

  it('a removal takes a name back; a state-of-the-world response is its type whole', () => {
    const delta = new Holdings(wanted, true);
    for (const r of [response(CLUSTER, ['a', 'b']), response(VHOST, ['external/x', 'external/y', 'local/x']), response(VHOST, [], ['local/x'])]) {
      delta.received(r);
      delta.acked(r.nonce, 1);
    }
    assert.equal(delta.missing(), 1);
    const sotw = new Holdings(new Map([[CLUSTER, new Set(['a', 'b'])]]), false);
    for (const r of [response(CLUSTER, ['a', 'b']), response(CLUSTER, ['a', 'c'])]) {
      sotw.received(r);
      sotw.acked(r.nonce, 1);
    }
    assert.equal(sotw.missing(), 1);
  });

  it('an edit counts when the response carrying the changed names is ACKed, not at an earlier response', () => {
    const h = new Holdings(wanted, true);
    h.watch(new Map([[VHOST, ['external/y', 'local/x']]]));
    const other = response(CLUSTER, ['a']);
    h.received(other);
    h.acked(other.nonce, 10);
    assert.equal(h.changeAcked(), undefined);
    const first = response(VHOST, ['external/y']);
    const second = response(VHOST, ['local/x']);
    h.received(first);
    h.received(second);
    h.acked(first.nonce, 20);
    assert.equal(h.changeAcked(), undefined, 'local/x not yet ACKed');
    h.acked(second.nonce, 30);
    assert.deepEqual(h.changeAcked(), { at: 30, bytes: 300, responses: 3, byType: { [CLUSTER]: 100, [VHOST]: 200 } });
  });
});
