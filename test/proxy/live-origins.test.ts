// LiveOrigins (proxy/live-origins.ts) answers as a count from scratch would, whether it followed the
// translator's list diffs or recounted, and following a diff only looks at what changed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LiveOrigins, originOf } from '../../src/proxy/live-origins.ts';
import { SortedList } from '../../src/translate/sorted.ts';
import type { Cluster, Endpoint } from '../../src/snapshot/types.ts';
import { mulberry32 } from '../support/prng.ts';

const ep = (address: string, port: number): Endpoint => ({ address, port });
const cluster = (name: string, endpoints: Endpoint[], protocol: Cluster['protocol'] = 'http1'): Cluster => ({ name, protocol, type: 'static', endpoints });

test('origins, h2c origins and cluster names of a list built by hand', () => {
  const live = new LiveOrigins();
  live.update([cluster('ns/a:80', [ep('10.0.0.1', 80), ep('10.0.0.2', 80)]), cluster('ns/g:81', [ep('10.0.0.2', 80), ep('fd00::1', 81)], 'h2c')]);
  assert.equal(live.has('http://10.0.0.1:80'), true);
  assert.equal(live.has('http://[fd00::1]:81'), true, 'IPv6 in brackets');
  assert.equal(live.hasH2c('http://10.0.0.1:80'), false, 'only an http1 cluster uses it');
  assert.equal(live.hasH2c('http://10.0.0.2:80'), true);
  assert.equal(live.hasCluster('ns/g:81'), true);
  assert.equal(live.hasCluster('ns/b:80'), false);
  // An unrelated list (no recorded diff) is counted from scratch: nothing of the first survives.
  live.update([cluster('ns/b:80', [ep('10.0.0.9', 80)])]);
  assert.equal(live.has('http://10.0.0.1:80'), false);
  assert.equal(live.hasH2c('http://10.0.0.2:80'), false);
  assert.equal(live.hasCluster('ns/a:80'), false);
  assert.equal(live.has('http://10.0.0.9:80'), true);
});

test('following recorded diffs over random edits agrees with a count from scratch at every step', () => {
  const rnd = mulberry32(11);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const addresses = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', 'fd00::5'];
  const names = Array.from({ length: 30 }, (_, i) => `ns/svc-${i}:80`);
  const origins = addresses.flatMap((a) => [80, 81].map((p) => originOf(ep(a, p))));
  const randomCluster = (name: string): Cluster =>
    cluster(
      name,
      // duplicates and empty lists included
      Array.from({ length: Math.floor(rnd() * 4) }, () => ep(pick(addresses), pick([80, 81]))),
      rnd() < 0.3 ? 'h2c' : 'http1',
    );
  const list = new SortedList<Cluster>((c) => c.name);
  const live = new LiveOrigins();
  let counted: readonly Cluster[] | undefined;
  let diffs = 0;
  for (let step = 0; step < 400; step++) {
    const remove = new Set<string>();
    const insert: Cluster[] = [];
    // a few clusters removed, replaced or added; sometimes one changed twice between two copies
    const changes = 1 + Math.floor(rnd() * 3);
    for (let i = 0; i < changes; i++) {
      const name = pick(names);
      if (insert.some((c) => c.name === name) || remove.has(name)) continue;
      const present = list.get(name) !== undefined;
      if (present) remove.add(name);
      if (!present || rnd() < 0.6) insert.push(randomCluster(name));
    }
    list.apply(remove, insert);
    if (rnd() < 0.2) continue; // two batches fold into one copy
    const { list: now, diff } = list.copy();
    live.update(now, diff && counted && { list: counted, diff });
    counted = now;
    diffs++;
    const fresh = new LiveOrigins();
    fresh.update(now.slice());
    for (const o of origins) {
      assert.equal(live.has(o), fresh.has(o), `step ${step}: has(${o})`);
      assert.equal(live.hasH2c(o), fresh.hasH2c(o), `step ${step}: hasH2c(${o})`);
    }
    for (const n of names) assert.equal(live.hasCluster(n), fresh.hasCluster(n), `step ${step}: hasCluster(${n})`);
  }
  assert.ok(diffs > 250);
});

test('a swap that changes one cluster of many reads only the changed clusters', () => {
  let reads = 0;
  // endpoints read through a getter, so the test sees which clusters update() looked at
  const counted = (name: string, address: string): Cluster => {
    const endpoints = [ep(address, 80)];
    return {
      name,
      protocol: 'http1',
      type: 'static',
      get endpoints() {
        reads++;
        return endpoints;
      },
    };
  };
  const list = new SortedList<Cluster>((c) => c.name);
  list.apply(new Set(), Array.from({ length: 5000 }, (_, i) => counted(`ns/s-${String(i).padStart(4, '0')}:80`, `10.1.${i >> 8}.${i & 255}`)));
  const live = new LiveOrigins();
  const first = list.copy().list;
  live.update(first);
  assert.equal(reads, 5000);
  reads = 0;
  list.apply(new Set(['ns/s-0042:80']), [counted('ns/s-0042:80', '10.9.9.9')]);
  const { list: second, diff } = list.copy();
  live.update(second, { list: first, diff: diff! });
  assert.equal(reads, 2, 'the removed and the added cluster only');
  assert.equal(live.has('http://10.9.9.9:80'), true);
  assert.equal(live.has('http://10.1.0.42:80'), false);
  assert.equal(live.has('http://10.1.0.43:80'), true);
});

test('a diff that does not lead from the list counted last is not followed: the list is counted afresh', () => {
  const a = cluster('ns/a:80', [ep('10.0.0.1', 80)]);
  const b = cluster('ns/b:80', [ep('10.0.0.2', 80)]);
  const c = cluster('ns/c:80', [ep('10.0.0.3', 80)]);
  const live = new LiveOrigins();
  live.update([a]);
  // This diff leads from [b] (another plane's list, say) to [b, c]: following it here would keep a.
  live.update([b, c], { list: [b], diff: { removed: [], added: [c] } });
  assert.equal(live.has('http://10.0.0.1:80'), false);
  assert.equal(live.has('http://10.0.0.2:80'), true);
  assert.equal(live.has('http://10.0.0.3:80'), true);
});
