// The JSON writer's tables of runs are bounded without forgetting what every line uses: a listener's
// run stays made while many listeners used once pass through (clearing the table when full made the
// busy listener's run again, and again after every fill).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { flagsRun, headRun, runsMade } from '../../src/observe/access-log-json-pieces.ts';

describe('JSON access log run tables', () => {
  it("keeps a busy listener's head run while 5,000 listeners used once pass through", () => {
    const busy = `busy-${process.pid}`;
    headRun(busy, 0, 'GET');
    const made = runsMade.heads;
    for (let i = 0; i < 5000; i++) {
      headRun(`once-${process.pid}-${i}`, 0, 'GET');
      // another key first, so the writer's last-head shortcut does not answer
      if (i % 10 === 0) headRun(busy, 0, 'GET');
    }
    assert.equal(runsMade.heads - made, 5000, 'one run per listener used once, none again for the busy one');
  });

  it("keeps a busy flags value's run while 500 flags values used once pass through", () => {
    flagsRun('UF', false);
    const made = runsMade.flags;
    for (let i = 0; i < 500; i++) {
      flagsRun(`X${i}`, false);
      if (i % 10 === 0) flagsRun('UF', false);
    }
    assert.equal(runsMade.flags - made, 500, 'one run per flags value used once, none again for the busy one');
  });
});
