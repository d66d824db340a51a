// peekBody: the first bytes of a body, and the whole body still there for whoever reads it next.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, it } from 'node:test';
import { peekBody } from '../../src/policies/peek-body.ts';

describe('peekBody', () => {
  it('reads a body shorter than the limit whole, and leaves it to be read again with its end', async () => {
    const s = new PassThrough();
    s.write('hello ');
    setImmediate(() => s.end('world'));
    const p = await peekBody(s, 64, 1000);
    assert.deepEqual(p && { bytes: p.bytes.toString(), partial: p.partial }, { bytes: 'hello world', partial: false });
    assert.equal(await text(s), 'hello world');
  });

  it('stops past the limit: the first bytes, partial, and the rest still flowing', async () => {
    const s = new PassThrough();
    s.write('abcdefgh');
    s.write('ijkl');
    const p = await peekBody(s, 10, 1000);
    assert.equal(p!.bytes.toString(), 'abcdefghij');
    assert.equal(p!.partial, true);
    setImmediate(() => s.end('mnop'));
    assert.equal(await text(s), 'abcdefghijklmnop');
  });

  it('gives up on a body that does not come in time, keeping what came', async () => {
    const s = new PassThrough();
    s.write('slow');
    assert.equal(await peekBody(s, 10, 50), undefined);
    s.end();
    assert.equal(await text(s), 'slow');
  });
});
