// Gloo `destinationSpec.rest.parameters`: `{name}` patterns over the path and headers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileParameters, extractParameters, ParameterPatternError } from '../../src/functions/rest/parameters.ts';

const req = (path: string, headers: Record<string, string | string[]> = {}, method = 'GET') => ({ method, path, headers });

describe('parameters', () => {
  it('captures a path variable from /pets/{id}', () => {
    const p = compileParameters({ headers: [], path: '/pets/{id}' });
    assert.equal(extractParameters(p, req('/pets/42')).get('id'), '42');
  });

  it('matches the path without its query, and the whole path', () => {
    const p = compileParameters({ headers: [], path: '/pets/{id}' });
    assert.equal(extractParameters(p, req('/pets/42?verbose=1')).get('id'), '42');
    assert.equal(extractParameters(p, req('/pets/42/photos')).get('id'), undefined);
    assert.equal(extractParameters(p, req('/api/pets/42')).get('id'), undefined);
  });

  it('captures several variables and tolerates spaces inside braces', () => {
    const p = compileParameters({ headers: [], path: '/stores/{ store }/pets/{pet.id}.{format}' });
    const got = extractParameters(p, req('/stores/s-1/pets/7.json'));
    assert.deepEqual([got.get('store'), got.get('pet.id'), got.get('format')], ['s-1', '7', 'json']);
  });

  it('a capture takes name characters and percent escapes, never a slash', () => {
    const p = compileParameters({ headers: [], path: '/files/{name}' });
    assert.equal(extractParameters(p, req('/files/a%20b.txt')).get('name'), 'a%20b.txt');
    assert.equal(extractParameters(p, req('/files/a/b')).get('name'), undefined);
  });

  it('captures from headers, literal text around the variable included', () => {
    const p = compileParameters({ headers: [['authorization', 'Bearer {token}'], ['x-user-id', '{userId}']] });
    const got = extractParameters(p, req('/', { authorization: 'Bearer abc.def', 'x-user-id': ['u1', 'u2'] }));
    assert.equal(got.get('token'), 'abc.def');
    assert.equal(got.get('userId'), 'u1');
  });

  it('a header that is absent or does not match leaves its variables unset', () => {
    const p = compileParameters({ headers: [['authorization', 'Bearer {token}']] });
    assert.equal(extractParameters(p, req('/')).has('token'), false);
    assert.equal(extractParameters(p, req('/', { authorization: 'Basic xyz' })).has('token'), false);
  });

  it('a header pattern without braces extracts the whole value under the header name', () => {
    const p = compileParameters({ headers: [['x-tenant', 'any']] });
    assert.equal(extractParameters(p, req('/', { 'x-tenant': 'acme corp' })).get('x-tenant'), 'acme corp');
  });

  it('the :path pseudo-header is the path, :authority the host; path and method come free', () => {
    const p = compileParameters({ headers: [[':path', '/petstore/findWithId/{id}'], [':authority', '{tenant}.example.com']] });
    const got = extractParameters(p, req('/petstore/findWithId/3?x=1', { host: 'acme.example.com' }, 'POST'));
    assert.equal(got.get('id'), '3');
    assert.equal(got.get('tenant'), 'acme');
    assert.equal(got.get('path'), '/petstore/findWithId/3?x=1');
    assert.equal(got.get('method'), 'POST');
  });

  it('regex metacharacters in the literal parts are literal', () => {
    const p = compileParameters({ headers: [], path: '/a+b/(x)/{id}' });
    assert.equal(extractParameters(p, req('/a+b/(x)/1')).get('id'), '1');
    assert.equal(extractParameters(p, req('/aab/(x)/1')).get('id'), undefined);
  });

  it('unclosed braces or a bad name is a clear error naming the source', () => {
    assert.throws(() => compileParameters({ headers: [], path: '/pets/{id' }), (e: unknown) => e instanceof ParameterPatternError && /parameters\.path: "\/pets\/\{id"/.test(e.message));
    assert.throws(() => compileParameters({ headers: [['x-a', '{a b}']] }), (e: unknown) => e instanceof ParameterPatternError && /parameters\.headers\["x-a"\]/.test(e.message));
  });

  it('a hostile, long header value is matched in linear time', () => {
    const p = compileParameters({ headers: [['x-a', '{a}.{b}.{c}.{d}!']] });
    const t0 = performance.now();
    assert.equal(extractParameters(p, req('/', { 'x-a': `${'a.'.repeat(50_000)}x` })).has('a'), false);
    assert.ok(performance.now() - t0 < 2000);
  });
});
