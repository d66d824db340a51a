import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compilePathRewrite, rewritePath } from '../../src/proxy/rewrite.ts';
import { pathRewriteFields } from '../../src/xds/path-rewrite.ts';

const anyPath = { type: 'prefix', value: '/' } as const;

test('a regex rewrite replaces every match, with Envoy-style \\N groups', () => {
  const rw = compilePathRewrite({ type: 'regex', pattern: '^/service/([^/]+)(/.*)$', substitution: '\\2/instance/\\1' });
  assert.equal(rewritePath(rw, { kind: 'prefix', value: '/' } as never, '/service/foo/v1/api'), '/v1/api/instance/foo');
  const all = compilePathRewrite({ type: 'regex', pattern: 'o', substitution: '0' });
  assert.equal(rewritePath(all, undefined as never, '/foo/boo'), '/f00/b00');
});

test('a regex rewrite keeps a literal $ in the substitution and never yields an empty path', () => {
  const dollar = compilePathRewrite({ type: 'regex', pattern: 'a', substitution: '$1' });
  assert.equal(rewritePath(dollar, undefined as never, '/a'), '/$1');
  const empty = compilePathRewrite({ type: 'regex', pattern: '^.*$', substitution: '' });
  assert.equal(rewritePath(empty, undefined as never, '/x'), '/');
});

test('a regex rewrite becomes Envoy regex_rewrite with the substitution as written', () => {
  const fields = pathRewriteFields({ type: 'regex', pattern: '^/a/(.*)$', substitution: '/b/\\1' }, anyPath);
  assert.deepEqual((fields.regex_rewrite as { substitution: string }).substitution, '/b/\\1');
});
