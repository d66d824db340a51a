// Streams subscribed to the same names hold one subscription: every Envoy names every endpoint
// assignment (20,000 at 10,000 apps), and a set and a key of those names per client, each decoded
// from the client's own request, was megabytes of heap per client. Counted as heap held.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeltaStream } from '../../src/xds/delta.ts';
import { silentLog } from '../../src/xds/log.ts';
import { TypeUrl } from '../../src/xds/protos.ts';
import { ResponseCache } from '../../src/xds/responses.ts';
import { SotwStream } from '../../src/xds/sotw.ts';
import { heldBy } from '../support/heap-held.ts';
import { node } from './ads-client.ts';

const NAMES = 5000;
const STREAMS = 20;
/** The names as a decoded request has them: strings of its own, not shared with any other request. */
const names = (prefix: string, stream: number) => Array.from({ length: NAMES }, (_, i) => `${prefix}/app-${String(i).padStart(5, '0')}-00001-private:80#${stream}`.slice(0, -String(stream).length - 1));

/** Heap held by `count` streams each made by `open` (subscribed to the same names), and by one. */
function heldByStreams(open: (i: number) => object): { one: number; many: number } {
  const one = heldBy(() => open(0));
  const many = heldBy(() => Array.from({ length: STREAMS }, (_, i) => open(i)));
  return { one, many };
}

const checkShared = ({ one, many }: { one: number; many: number }) =>
  // One stream holds the names (over a hundred bytes each, set and key); the others add little.
  assert.ok(many - one < NAMES * 20, `${STREAMS} streams hold ${many} bytes, one ${one} (${NAMES} names)`);

test('SotW streams subscribed to the same endpoint names hold one set of them', () => {
  const responses = new ResponseCache();
  checkShared(
    heldByStreams((i) => {
      const s = new SotwStream(() => {}, silentLog, responses);
      s.handle({ node: node(`s${i}`), type_url: TypeUrl.endpoint, resource_names: names('sotw', i), version_info: '', response_nonce: '', error_detail: null }, undefined);
      return s;
    }),
  );
});

test('delta streams subscribed to the same endpoint names hold one set of them', () => {
  const responses = new ResponseCache();
  checkShared(
    heldByStreams((i) => {
      const s = new DeltaStream(() => {}, silentLog, responses);
      s.handle({ node: node(`d${i}`), type_url: TypeUrl.endpoint, resource_names_subscribe: names('delta', i), resource_names_unsubscribe: [], initial_resource_versions: {}, response_nonce: '', error_detail: null }, undefined);
      return s;
    }),
  );
});
