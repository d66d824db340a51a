// Route specs that break their schema (files are hand-written; API servers without the CRDs'
// validation exist): every one is translated without throwing, and reported.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grpcRouteRules, httpRouteRules } from '../../../src/gateway-api/route-rules.ts';
import type { GRPCRouteSpec, HTTPRouteSpec } from '../../../src/gateway-api/route-types.ts';
import { ruleContext } from './rule-context.ts';

const garbage: unknown[] = [null, 7, 'x', true, [], [null], [7], {}, { type: 7 }, { name: {} }, [{ type: 'RequestMirror' }]];

function specsFor(value: unknown): unknown[] {
  return [
    value,
    { rules: value },
    { rules: [value] },
    { rules: [{ matches: value }] },
    { rules: [{ matches: [value] }] },
    { rules: [{ matches: [{ path: value, headers: value, queryParams: value, method: value }] }] },
    { rules: [{ matches: [{ path: { type: value, value } }] }] },
    { rules: [{ matches: [{ headers: [{ name: 'a', type: 'RegularExpression', value }] }] }] },
    { rules: [{ matches: [{ method: { type: 'RegularExpression', service: value, method: value } }] }] },
    { rules: [{ filters: value }] },
    { rules: [{ filters: [value] }] },
    { rules: [{ filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: value, add: [value], remove: value } }] }] },
    { rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: value, hostname: value, port: value, path: value, statusCode: value } }] }] },
    { rules: [{ filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: value } } }] }] },
    { rules: [{ filters: [{ type: 'RequestMirror', requestMirror: { backendRef: value, percent: value, fraction: value } }] }] },
    { rules: [{ filters: [{ type: 'CORS', cors: { allowOrigins: value, maxAge: value, allowCredentials: value } }] }] },
    { rules: [{ filters: [{ type: 'ExtensionRef', extensionRef: value }] }] },
    { rules: [{ backendRefs: value }] },
    { rules: [{ backendRefs: [value] }] },
    { rules: [{ backendRefs: [{ name: value, port: value, weight: value, namespace: value, kind: value, filters: value }] }] },
    { rules: [{ timeouts: value, retry: value }] },
    { rules: [{ timeouts: { request: value, backendRequest: value }, retry: { attempts: value, codes: value, backoff: value } }] },
  ];
}

test('HTTPRoute and GRPCRoute specs of the wrong shape are translated without throwing', () => {
  const httpCtx = ruleContext();
  const grpcCtx = ruleContext({ kind: 'GRPCRoute' });
  for (const value of garbage) {
    for (const spec of specsFor(value)) {
      const where = JSON.stringify(spec);
      assert.doesNotThrow(() => httpRouteRules(spec as HTTPRouteSpec, httpCtx, ''), where);
      assert.doesNotThrow(() => grpcRouteRules(spec as GRPCRouteSpec, grpcCtx, ''), where);
    }
  }
});

test('a match of the wrong shape is reported, not silently dropped', () => {
  const r = httpRouteRules({ rules: [{ matches: [7 as never] }] }, ruleContext(), '');
  assert.equal(r.routes.length, 0);
  assert.match(r.unsupported?.message ?? '', /^spec\.rules\[0\]\.matches\[0\]: must be an object/);
});

test('a pathological regex is accepted only as RE2, so matching it stays linear', () => {
  const r = httpRouteRules({ rules: [{ matches: [{ path: { type: 'RegularExpression', value: '/(a+)+$' } }] }] }, ruleContext(), '');
  assert.equal(r.unsupported, undefined);
  assert.deepEqual(r.routes[0]?.route.path, { type: 'regex', value: '/(a+)+$' });
});
