// While a configuration loads, V8's young generation stops growing at 16 MiB (both semi-spaces)
// instead of its largest 32 MiB, which stays resident, empty, after ready; the cap is lifted once
// the load is done, and an operator's own semi-space flags are left alone.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { YOUNG_CAP_BYTES, YoungCap } from '../../src/cli/young-cap.ts';

const MiB = 1024 * 1024;

describe('YoungCap', () => {
  it('stops growth at the cap and gives V8 its factor back when lifted', () => {
    let size = 4 * MiB;
    const flags: string[] = [];
    const cap = new YoungCap({ youngSize: () => size, setFlag: (f) => flags.push(f), nodeFlags: [] });
    try {
      cap.look();
      assert.deepEqual(flags, []);
      size = YOUNG_CAP_BYTES;
      cap.look();
      cap.look();
      assert.deepEqual(flags, ['--semi-space-growth-factor=1']);
      assert.equal(cap.capped, true);
      cap.lift();
      cap.lift();
      assert.deepEqual(flags, ['--semi-space-growth-factor=1', '--semi-space-growth-factor=2']);
      assert.equal(cap.capped, false);
    } finally {
      cap.lift();
    }
  });

  it('leaves the flags alone when lifted before the cap was reached, or when node was given semi-space flags', () => {
    const flags: string[] = [];
    const early = new YoungCap({ youngSize: () => MiB, setFlag: (f) => flags.push(f), nodeFlags: [] });
    early.lift();
    const operator = new YoungCap({ youngSize: () => 32 * MiB, setFlag: (f) => flags.push(f), nodeFlags: ['--max-semi-space-size=64'] });
    operator.look();
    operator.lift();
    assert.deepEqual(flags, []);
  });

  it("keeps V8's young generation at 16 MiB through a load that grows it to 32 without the cap, and lets it grow once lifted", () => {
    // Survivors made a piece at a time, with turns of the event loop between (as a load yields).
    const script = (capped: boolean) => `
      import v8 from 'node:v8';
      import { YoungCap } from ${JSON.stringify(new URL('../../src/cli/young-cap.ts', import.meta.url).href)};
      const young = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
      const cap = ${capped} ? new YoungCap({ nodeFlags: [] }) : undefined;
      let keep = [];
      const load = async () => {
        for (let r = 0; r < 60; r++) {
          for (let i = 0; i < 50000; i++) keep.push({ a: i, b: 'x' + i });
          await new Promise((res) => setImmediate(res));
        }
      };
      await load();
      const during = young();
      cap?.lift();
      keep = [];
      await load();
      console.log(JSON.stringify({ during, after: young() }));
    `;
    const run = (capped: boolean): { during: number; after: number } => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(capped)], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout.trim().split('\n').pop()!) as { during: number; after: number };
    };
    const without = run(false);
    assert.ok(without.during > YOUNG_CAP_BYTES, `the load grows the young generation past the cap without it: ${JSON.stringify(without)}`);
    const capped = run(true);
    assert.ok(capped.during <= YOUNG_CAP_BYTES, `capped during the load: ${JSON.stringify(capped)}`);
    assert.ok(capped.after > YOUNG_CAP_BYTES, `grows again once lifted: ${JSON.stringify(capped)}`);
  });
});
