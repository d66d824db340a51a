// After a large configuration load the gateway runs one full collection (giving back the load's
// garbage), and once quiet two young ones (V8 shrinks its young generation at the second); small
// edits run none. The collector is V8's gc extension, reached without a global `gc`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { GatewayHeapRelease, HeapRelease, type HeapCollect, releaseHeapAfterLoads } from '../../src/cli/heap-release.ts';

const MiB = 1024 * 1024;

/** Resolves once `done()` holds; fails after 5 s. */
async function until(done: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 5000;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A heap whose old generation the test sets; a full collection leaves `live` in it. */
function fakeHeap(start: number) {
  const heap = { used: start, live: start, busy: 0, calls: [] as Array<'full' | 'young'> };
  const collect: HeapCollect = (kind) => {
    heap.calls.push(kind);
    if (kind === 'full') heap.used = heap.live;
  };
  const release = new HeapRelease({ collect, oldGenerationUsed: () => heap.used, busySampler: () => () => heap.busy, quietCheckMs: 60_000, settleMs: 60_000 });
  return { heap, release };
}

describe('HeapRelease', () => {
  it('runs one full collection after a large load, none after small edits', () => {
    const { heap, release } = fakeHeap(10 * MiB);
    try {
      // The first load: 200 MiB used, of which 150 live.
      heap.used = 200 * MiB;
      heap.live = 150 * MiB;
      release.check();
      assert.deepEqual(heap.calls, ['full']);
      // Small edits: a few MiB each, well under a quarter of what is live.
      for (let i = 0; i < 5; i++) {
        heap.used += 2 * MiB;
        release.check();
      }
      assert.deepEqual(heap.calls, ['full']);
      // A large reload (every ingress replaced): as much garbage again as is live.
      heap.used = 300 * MiB;
      release.check();
      assert.deepEqual(heap.calls, ['full', 'full']);
      assert.equal(release.runs.full, 2);
    } finally {
      release.stop();
    }
  });

  it('waits for a quiet spell before the full collection: a gateway serving traffic is not paused for it', () => {
    const { heap, release } = fakeHeap(10 * MiB);
    try {
      heap.used = 200 * MiB;
      heap.live = 150 * MiB;
      heap.busy = 0.5; // requests keep the loop busy: the pause would stall them
      release.check();
      release.check();
      assert.deepEqual(heap.calls, []);
      heap.busy = 0.01; // quiet: the load's garbage is given back now
      release.check();
      assert.deepEqual(heap.calls, ['full']);
    } finally {
      release.stop();
    }
  });

  it('does nothing for a small configuration (growth under 32 MiB)', () => {
    const { heap, release } = fakeHeap(8 * MiB);
    try {
      heap.used = 30 * MiB;
      release.check();
      assert.deepEqual(heap.calls, []);
    } finally {
      release.stop();
    }
  });

  it('counts from what V8 collected on its own: growth after a drop is measured from the drop', () => {
    const { heap, release } = fakeHeap(100 * MiB);
    try {
      heap.used = 60 * MiB; // V8 ran a full collection itself
      release.check();
      heap.used = 80 * MiB; // 20 MiB over the new low: under 32
      release.check();
      assert.deepEqual(heap.calls, []);
    } finally {
      release.stop();
    }
  });

  it('after a large load, shrinks the young generation once the process is quiet: two young collections, then no more', () => {
    const { heap, release } = fakeHeap(10 * MiB);
    try {
      heap.used = 200 * MiB;
      heap.live = 150 * MiB;
      release.check();
      heap.busy = 0.5; // serving traffic: no collection
      release.quietTick();
      assert.deepEqual(heap.calls, ['full']);
      heap.busy = 0.01;
      release.quietTick();
      heap.busy = 0.3; // busy again: the quiet spell starts over
      release.quietTick();
      heap.busy = 0;
      release.quietTick();
      release.quietTick();
      release.quietTick(); // done: the watch has stopped
      assert.deepEqual(heap.calls, ['full', 'young', 'young', 'young']);
    } finally {
      release.stop();
    }
  });

  it("judges the full collection's quiet over its own window: a quiet tick in between does not cut it short", () => {
    // A clock of the event loop: time passed and time busy; each sampler measures from its own last call.
    const loop = { t: 0, busy: 0 };
    const busySampler = () => {
      let last = { ...loop };
      return () => {
        const share = loop.t === last.t ? 0 : (loop.busy - last.busy) / (loop.t - last.t);
        last = { ...loop };
        return share;
      };
    };
    const heap = { used: 10 * MiB, live: 10 * MiB, calls: [] as Array<'full' | 'young'> };
    const collect: HeapCollect = (kind) => {
      heap.calls.push(kind);
      if (kind === 'full') heap.used = heap.live;
    };
    const release = new HeapRelease({ collect, oldGenerationUsed: () => heap.used, busySampler, quietCheckMs: 60_000, settleMs: 60_000 });
    try {
      heap.used = 200 * MiB;
      heap.live = 150 * MiB;
      release.check();
      assert.deepEqual(heap.calls, ['full']);
      // A large reload is published while the quiet watch runs; 900 ms of traffic, then 100 ms idle.
      heap.used = 300 * MiB;
      release.published();
      loop.t += 900;
      loop.busy += 900;
      release.quietTick(); // busy: no young collection
      loop.t += 100;
      release.check(); // its window (1 s since published) was 90% busy: no full collection yet
      assert.deepEqual(heap.calls, ['full']);
    } finally {
      release.stop();
    }
  });

  it("lifts the young generation's load cap at its first look after the load (even with no collection to run), and on stop", () => {
    let lifts = 0;
    const youngCap = { lift: () => void lifts++ };
    const release = new HeapRelease({ collect: () => {}, oldGenerationUsed: () => 0, busySampler: () => () => 0, settleMs: 60_000, youngCap });
    assert.equal(lifts, 0);
    release.check();
    assert.equal(lifts, 1);
    release.stop();
    assert.equal(lifts, 2);
  });

  it('follows a feed: looks at the heap after the current snapshot and each one published', async () => {
    let listener: (() => void) | undefined;
    const feed = {
      subscribe: (l: () => void) => {
        listener = l;
        return () => {
          listener = undefined;
        };
      },
    };
    let looks = 0;
    const oldGenerationUsed = (): number => {
      looks++;
      return 0;
    };
    const release = new HeapRelease({ collect: () => {}, oldGenerationUsed, busySampler: () => () => 0, settleMs: 1 });
    looks = 0;
    const stop = releaseHeapAfterLoads(release, feed);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(looks, 1);
    listener?.();
    listener?.(); // coalesced with the one before
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(looks, 2);
    stop();
    assert.equal(listener, undefined);
  });

  it("a gateway process's release follows its feed, looks again when told, and stops with the process", async () => {
    const listeners = new Set<() => void>();
    const feed = {
      subscribe(l: () => void): () => void {
        listeners.add(l);
        return () => void listeners.delete(l);
      },
    };
    const seen = { looks: 0, lifts: 0 };
    const oldGenerationUsed = (): number => {
      seen.looks++;
      return 0;
    };
    const heap = new GatewayHeapRelease(new HeapRelease({ collect: () => {}, oldGenerationUsed, busySampler: () => () => 0, settleMs: 1, youngCap: { lift: () => void seen.lifts++ } }));
    heap.stop(); // before the first load: nothing to stop, the young generation stays capped
    assert.equal(seen.lifts, 0);
    seen.looks = 0;
    heap.follow(feed);
    assert.equal(listeners.size, 1);
    await until(() => seen.looks === 1, 'the look after the current snapshot');
    heap.published(); // the leader's status writes settled
    await until(() => seen.looks === 2, 'the look after the status writes');
    heap.stop();
    assert.equal(listeners.size, 0);
    assert.ok(seen.lifts >= 1);
  });

  it("V8's collector runs a full and a young collection and leaves no global gc behind", () => {
    const script = `
      import { PerformanceObserver, constants } from 'node:perf_hooks';
      import { runInNewContext } from 'node:vm';
      import { v8Collector } from ${JSON.stringify(new URL('../../src/cli/heap-release.ts', import.meta.url).href)};
      const kinds = [];
      const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) kinds.push(e.detail.kind); });
      obs.observe({ entryTypes: ['gc'] });
      const collect = v8Collector();
      collect('full');
      collect('young');
      setTimeout(() => {
        obs.disconnect();
        console.log(JSON.stringify({
          major: kinds.filter((k) => k === constants.NODE_PERFORMANCE_GC_MAJOR).length,
          minor: kinds.filter((k) => k === constants.NODE_PERFORMANCE_GC_MINOR).length,
          globalGc: typeof globalThis.gc,
          laterContextGc: runInNewContext('typeof gc'),
        }));
      }, 50);
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { major: number; minor: number; globalGc: string; laterContextGc: string };
    assert.ok(out.major >= 1, `a full collection ran: ${r.stdout}`);
    assert.ok(out.minor >= 1, `a young collection ran: ${r.stdout}`);
    assert.equal(out.globalGc, 'undefined');
    assert.equal(out.laterContextGc, 'undefined');
  });
  it("the release's full collection compacts: old-generation pages left sparse by replaced objects are given back, and later plain collections stay plain", () => {
    // A child process: the old generation is fragmented on purpose (every tenth of 400,000 objects kept).
    const script = `
      import v8 from 'node:v8';
      import { v8Collector } from ${JSON.stringify(new URL('../../src/cli/heap-release.ts', import.meta.url).href)};
      const plain = v8Collector();
      const release = v8Collector({ compact: true });
      const old = () => { const s = v8.getHeapSpaceStatistics().find((x) => x.space_name === 'old_space'); return { resident: s.physical_space_size, used: s.space_used_size }; };
      const fragment = (keep) => {
        const all = [];
        for (let i = 0; i < 400000; i++) all.push({ a: i, b: 'x' + i, c: [i] });
        plain('full');
        plain('full');
        for (let i = 0; i < all.length; i += 10) keep.push(all[i]);
      };
      // Each round: the first collection after the objects were dropped (V8 picks the pages to compact
      // from what its previous marking found live, which was everything).
      const keep = [];
      fragment(keep);
      plain('full');
      const afterPlain = old();
      fragment(keep);
      release('full');
      const afterCompact = old();
      fragment(keep);
      plain('full');
      const plainAgain = old();
      console.log(JSON.stringify({ afterPlain, afterCompact, plainAgain, kept: keep.length }));
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    type Space = { resident: number; used: number };
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { afterPlain: Space; afterCompact: Space; plainAgain: Space };
    const free = (s: Space): number => s.resident - s.used;
    // A plain collection leaves the sparse pages resident (what the gateway did); the release's gives most back.
    assert.ok(free(out.afterPlain) > 16 * MiB, `a plain collection left the free space resident: ${r.stdout}`);
    assert.ok(free(out.afterCompact) < free(out.afterPlain) / 4, `compacted: ${r.stdout}`);
    // The flag is set for the release's collection only.
    assert.ok(free(out.plainAgain) > 16 * MiB, `a later plain collection did not compact: ${r.stdout}`);
  });
});
