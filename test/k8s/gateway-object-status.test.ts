// The Gateway API status Kubernetes mode writes, as a pure function: transition times kept while a
// condition's status holds, observedGeneration from the live object, other controllers' route
// parents kept as they are, and "changed" judged without timestamps.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { desiredObjectStatus, sameObjectStatus } from '../../src/k8s/object-status.ts';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:05:00Z');
const cond = (type: string, status: string, reason = type) => ({ type, status, reason, message: '', observedGeneration: 1 });
const gateway = (programmed: string) => ({
  addresses: [{ type: 'IPAddress', value: '10.0.0.1' }],
  conditions: [cond('Accepted', 'True'), cond('Programmed', programmed)],
  listeners: [{ name: 'http', attachedRoutes: 1, supportedKinds: [], conditions: [cond('Accepted', 'True'), cond('Programmed', programmed)] }],
});
type Cond = { type: string; status: string; lastTransitionTime: string; observedGeneration: number };
type Gw = { conditions: Cond[]; listeners: Array<{ conditions: Cond[] }> };
const time = (cs: Cond[], type: string) => cs.find((c) => c.type === type)?.lastTransitionTime;

describe('desiredObjectStatus', () => {
  it('stamps every condition with now and the live generation when there was no status', () => {
    const s = desiredObjectStatus('Gateway', gateway('True'), undefined, 3, t0) as unknown as Gw;
    assert.deepEqual(s.conditions.map((c) => [c.lastTransitionTime, c.observedGeneration]), [['2026-01-01T00:00:00Z', 3], ['2026-01-01T00:00:00Z', 3]]);
    assert.equal(s.listeners[0]!.conditions[1]!.observedGeneration, 3);
  });

  it('keeps a condition’s transition time while its status holds, and moves it when the status changes', () => {
    const first = desiredObjectStatus('Gateway', gateway('False'), undefined, 1, t0);
    const s = desiredObjectStatus('Gateway', gateway('True'), first, 2, t1) as unknown as Gw;
    assert.equal(time(s.conditions, 'Accepted'), '2026-01-01T00:00:00Z');
    assert.equal(time(s.conditions, 'Programmed'), '2026-01-01T00:05:00Z');
    assert.equal(time(s.listeners[0]!.conditions, 'Accepted'), '2026-01-01T00:00:00Z');
    assert.equal(time(s.listeners[0]!.conditions, 'Programmed'), '2026-01-01T00:05:00Z');
    assert.equal(s.conditions[0]!.observedGeneration, 2);
  });

  it('keeps other controllers’ route parents as they are and replaces only Sluice’s', () => {
    const theirs = { parentRef: { name: 'other-gw' }, controllerName: 'example.com/other', conditions: [{ type: 'Accepted', status: 'False', reason: 'Whatever', message: 'x', lastTransitionTime: '2020-01-01T00:00:00Z', observedGeneration: 7 }] };
    const stale = { parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' }, controllerName: 'sluice.dev/gateway-controller', conditions: [{ ...cond('Accepted', 'True'), lastTransitionTime: '2025-01-01T00:00:00Z' }] };
    const mine = { parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' }, controllerName: 'sluice.dev/gateway-controller', conditions: [cond('Accepted', 'True'), cond('ResolvedRefs', 'False', 'BackendNotFound')] };
    const s = desiredObjectStatus('HTTPRoute', { parents: [mine] }, { parents: [stale, theirs] }, 4, t1) as { parents: Array<{ controllerName: string; conditions: Cond[] }> };
    assert.deepEqual(s.parents[0], theirs);
    assert.equal(s.parents.length, 2);
    assert.equal(time(s.parents[1]!.conditions, 'Accepted'), '2025-01-01T00:00:00Z');
    assert.equal(time(s.parents[1]!.conditions, 'ResolvedRefs'), '2026-01-01T00:05:00Z');
    assert.equal(s.parents[1]!.conditions.every((c) => c.observedGeneration === 4), true);
  });

  it('drops Sluice’s entry for a parent it no longer reports', () => {
    const old = { parentRef: { name: 'gone' }, controllerName: 'sluice.dev/gateway-controller', conditions: [] };
    assert.deepEqual(desiredObjectStatus('GRPCRoute', { parents: [] }, { parents: [old] }, 1, t0), { parents: [] });
  });
});

describe('sameObjectStatus', () => {
  it('ignores transition times, key order and condition order, but not a status or generation', () => {
    const a = desiredObjectStatus('Gateway', gateway('True'), undefined, 1, t0);
    const b = desiredObjectStatus('Gateway', gateway('True'), undefined, 1, t1) as unknown as Gw;
    const reordered = { listeners: b.listeners, conditions: [...b.conditions].reverse(), addresses: [{ value: '10.0.0.1', type: 'IPAddress' }] };
    assert.equal(sameObjectStatus(a, reordered), true);
    assert.equal(sameObjectStatus(a, desiredObjectStatus('Gateway', gateway('False'), undefined, 1, t0)), false);
    assert.equal(sameObjectStatus(a, desiredObjectStatus('Gateway', gateway('True'), undefined, 2, t0)), false);
  });
});

describe('a route Sluice has no parent of', () => {
  it('is left alone: no empty status is written to another controller’s route', () => {
    assert.equal(sameObjectStatus(desiredObjectStatus('HTTPRoute', { parents: [] }, undefined, 1, t0), undefined), true);
    const theirs = { parents: [{ parentRef: { name: 'x' }, controllerName: 'example.com/other', conditions: [] }] };
    assert.equal(sameObjectStatus(desiredObjectStatus('HTTPRoute', { parents: [] }, theirs, 1, t0), theirs), true);
  });
});
