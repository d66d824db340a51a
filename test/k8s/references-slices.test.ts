// Which EndpointSlices each Service has, as the Kubernetes source keeps it between pushes: most
// Services have one slice, and at 10,000 apps a Set for each was 20,000 Sets; a Service holds its one
// slice's key itself, and a Set only while it has more than one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { References } from '../../src/k8s/pushed-state.ts';

const slicesOf = (r: References, service: string): string[] => [...r.slicesOf(service)].sort();

describe('References: the EndpointSlices of each Service', () => {
  it('a Service with one slice holds no Set; with two, one; back to one, none again', () => {
    const r = new References();
    r.setSlice('app/a-1', 'app/a');
    r.setSlice('app/b-1', 'app/b');
    assert.deepEqual(slicesOf(r, 'app/a'), ['app/a-1']);
    assert.equal(r.sliceSets, 0);
    r.setSlice('app/a-2', 'app/a');
    assert.deepEqual(slicesOf(r, 'app/a'), ['app/a-1', 'app/a-2']);
    assert.equal(r.sliceSets, 1);
    r.setSlice('app/a-1', undefined);
    assert.deepEqual(slicesOf(r, 'app/a'), ['app/a-2']);
    assert.equal(r.sliceSets, 0);
  });

  it('a slice moving to another Service leaves the first; the last slice gone leaves nothing', () => {
    const r = new References();
    r.setSlice('app/x', 'app/a');
    r.setSlice('app/x', 'app/b');
    assert.deepEqual(slicesOf(r, 'app/a'), []);
    assert.deepEqual(slicesOf(r, 'app/b'), ['app/x']);
    r.setSlice('app/x', 'app/b');
    assert.deepEqual(slicesOf(r, 'app/b'), ['app/x'], 'set again: still one');
    r.setSlice('app/x', undefined);
    assert.deepEqual(slicesOf(r, 'app/b'), []);
    assert.equal(r.sliceSets, 0);
  });
});
