// url-rewrite autoHostname as compiled for decisions: the last of a literal hostname and
// autoHostname wins, a backend's over the route's; nothing is set for routes without it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Decision } from '../../src/proxy/decide.ts';
import { compileDirectResponse } from '../../src/proxy/direct-response.ts';
import { ask, route, routerFor, split } from './ir-helpers.ts';

const autoHost = (d: Decision) => d.kind === 'forward' && d.split.autoHost;

describe('autoHostname', () => {
  it("the last of a literal hostname and autoHostname wins, a backend's over the route's", () => {
    const literalLast = routerFor(route({ filters: [{ type: 'url-rewrite', autoHostname: true }, { type: 'url-rewrite', hostname: 'lit.example' }] }));
    assert.equal(autoHost(ask(literalLast, { url: '/' })), false);
    const backendAuto = routerFor(route({ filters: [{ type: 'url-rewrite', hostname: 'lit.example' }], splits: [split('a', 1, [{ type: 'url-rewrite', autoHostname: true }])] }));
    assert.equal(autoHost(ask(backendAuto, { url: '/' })), true);
    assert.equal(autoHost(ask(routerFor(route()), { url: '/' })), false);
  });
});

describe('direct responses from a translator that slipped', () => {
  it('a body that is not text is none', () => {
    const reply = compileDirectResponse({ type: 'direct-response', status: 200, body: 42 as unknown as string }, { set: [], add: [], remove: [] }, assert.fail);
    assert.deepEqual(reply, { status: 200, headers: [], body: '' });
  });
});
