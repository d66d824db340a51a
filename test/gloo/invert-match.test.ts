// Inverted header matches (Gloo `invertMatch`, Envoy `invert_match`): the data plane's matcher and
// the xDS route match agree with Envoy's rule: a present header matches when its value does not;
// an absent header matches only an inverted presence match.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileValue, valueMatches } from '../../src/proxy/match.ts';
import type { HeaderMatch } from '../../src/snapshot/types.ts';
import { headerMatches, type HeaderMatcher } from '../support/envoy-route-eval.ts';
import { encodedResources, irRoute, irSnapshot } from '../xds/helpers.ts';
import { glooHost, translateDocs, vs } from './support.ts';

const cases: Array<[HeaderMatch, string | undefined, boolean]> = [
  [{ name: 'x-env', match: { type: 'exact', value: 'prod' }, invert: true }, 'dev', true],
  [{ name: 'x-env', match: { type: 'exact', value: 'prod' }, invert: true }, 'prod', false],
  [{ name: 'x-env', match: { type: 'exact', value: 'prod' }, invert: true }, undefined, false],
  [{ name: 'x-env', match: { type: 'regex', value: 'v[0-9]+' }, invert: true }, 'v12', false],
  [{ name: 'x-env', match: { type: 'regex', value: 'v[0-9]+' }, invert: true }, 'beta', true],
  [{ name: 'x-env', match: { type: 'present' }, invert: true }, undefined, true],
  [{ name: 'x-env', match: { type: 'present' }, invert: true }, 'any', false],
];

describe('inverted header matches', () => {
  it('are honoured by the data plane matcher', () => {
    for (const [h, value, want] of cases) {
      const m = compileValue(h.name, h.match, 'test', () => assert.fail('no problem expected'), h.invert === true);
      assert.equal(valueMatches(m, value), want, `${JSON.stringify(h)} against ${String(value)}`);
    }
  });

  it('are written as invert_match in xDS, which Envoy evaluates the same way', () => {
    for (const [h, value, want] of cases) {
      const config = encodedResources(irSnapshot([irRoute({ headers: [h] })])).route!.get('external')!;
      const route = ((config.virtual_hosts as Array<{ name: string; routes: Array<{ match: { headers: HeaderMatcher[] } }> }>).find((v) => v.name === 'web')!.routes)[0]!;
      const matcher = route.match.headers[0]!;
      assert.equal(matcher.invert_match, true);
      assert.equal(headerMatches(matcher, new Map(value === undefined ? [] : [['x-env', [value]]])), want, `${JSON.stringify(h)} against ${String(value)}`);
    }
  });

  it('come from Gloo invertMatch', () => {
    const { result } = translateDocs([vs('v', { virtualHost: { routes: [{ matchers: [{ headers: [{ name: 'x-env', value: 'prod', invertMatch: true }, { name: 'x-beta', invertMatch: true }] }], directResponseAction: { status: 200 } }] } })]);
    assert.deepEqual(glooHost(result, 'v').routes[0]?.headers, [
      { name: 'x-env', match: { type: 'exact', value: 'prod' }, invert: true },
      { name: 'x-beta', match: { type: 'present' }, invert: true },
    ]);
  });
});
