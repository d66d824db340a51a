// The request body limit policy on plain requests: a declared length over the limit is refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BodyLimit } from '../../src/policies/body-limit.ts';
import type { PolicyRequest } from '../../src/proxy/exchange-policy.ts';

const req = (raw: string[]) => ({ raw } as unknown as PolicyRequest);

describe('BodyLimit policy', () => {
  it('answers 413 to a Content-Length over the limit and lets the rest through', () => {
    const p = new BodyLimit({ maxBytes: 100 });
    assert.equal(p.onRequest(req(['Content-Length', '101']))?.status, 413);
    assert.equal(p.onRequest(req(['content-length', '100'])), undefined);
    assert.equal(p.onRequest(req([])), undefined, 'no length: counted as it streams');
    assert.equal(p.onRequest(req(['content-length', '99999999999999999999']))?.status, 413, 'beyond exact numbers is beyond the limit');
    assert.equal(p.onRequest(req(['content-length', '00000000000000000000100'])), undefined, 'leading zeros');
    assert.equal(new BodyLimit({ maxBytes: 0 }).onRequest(req(['content-length', '1']))?.status, 413);
  });
});
