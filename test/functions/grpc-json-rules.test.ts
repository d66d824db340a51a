import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTemplate, matchTemplate, percentDecode } from '../../src/functions/grpc-json/path-template.ts';
import { checkGrpcJsonCall, compileTranscoder } from '../../src/functions/grpc-json/rules.ts';
import type { GrpcJsonCall } from '../../src/functions/types.ts';
import { bookstoreDescriptorSet } from './grpc-json-fixture.ts';

const descriptorSet = bookstoreDescriptorSet();
function call(over: Partial<GrpcJsonCall> = {}): GrpcJsonCall {
  return {
    type: 'grpc-json',
    descriptorSet,
    services: ['bookstore.Bookstore'],
    print: { alwaysPrintPrimitiveFields: false, preserveProtoFieldNames: false },
    ignoredQueryParameters: [],
    autoMapping: false,
    ...over,
  };
}

describe('path templates', () => {
  it('parse literals, wildcards, variables with segments, and a verb', () => {
    const t = parseTemplate('/v1/{name=shelves/*}/books/{book.id}:archive');
    assert.deepEqual(t.segments.map((s) => s.kind), ['literal', 'literal', 'any', 'literal', 'any']);
    assert.deepEqual(t.variables.map((v) => [v.fieldPath.join('.'), v.start, v.end]), [['name', 1, 3], ['book.id', 4, 5]]);
    assert.equal(t.verb, 'archive');
  });

  it('reject malformed templates with a message saying where', () => {
    for (const bad of ['v1/x', '/v1/{a', '/v1/{a={b}}', '/v1/**/x', '/v1/{}', '/v1/{a}/{a}', '/v1/x:']) {
      assert.throws(() => parseTemplate(bad), (e: Error) => e.message.includes(bad), bad);
    }
  });

  it('match ** over any number of segments and keep %2F encoded in multi-segment variables', () => {
    const t = parseTemplate('/v1/search/{path=**}');
    assert.equal(matchTemplate(t, '/v1/search/a/b%2Fc/d%20e')?.variables.get('path'), 'a/b%2Fc/d e');
    assert.equal(matchTemplate(t, '/v1/search')?.variables.get('path'), '');
    const single = parseTemplate('/v1/shelves/{shelf}');
    assert.equal(matchTemplate(single, '/v1/shelves/a%2Fb%C3%A9')?.variables.get('shelf'), 'a/bé');
    assert.equal(matchTemplate(single, '/v1/shelves/a/b'), undefined);
    assert.equal(matchTemplate(single, '/v1/shelves/'), undefined);
  });

  it('keep malformed percent escapes literally', () => {
    assert.equal(percentDecode('a%zz%4', false), 'a%zz%4');
  });
});

describe('rule compiler', () => {
  const t = compileTranscoder(call());

  it('compiles every rule and additional binding of the service', () => {
    const routes = t.bindings.map((b) => `${b.binding.method} ${b.binding.path}`);
    assert.ok(routes.includes('GET /v1/books/{book}'));
    assert.ok(routes.includes('PUT /v1/shelves/{shelf.id}'));
    assert.ok(routes.includes('SEARCH /v1/search/{path=**}'));
    assert.equal(routes.filter((r) => r.includes('Ping')).length, 0);
  });

  it('matches path variables, verbs and custom methods to their methods', () => {
    const get = t.match('GET', '/v1/shelves/12/books/7');
    assert.equal(get?.method.name, 'GetBook');
    assert.deepEqual([...get!.variables], [['name', 'shelves/12'], ['book', '7']]);
    assert.equal(t.match('GET', '/v1/books/9')?.method.name, 'GetBook');
    assert.equal(t.match('POST', '/v1/shelves/3:archive')?.method.name, 'ArchiveShelf');
    assert.equal(t.match('POST', '/v1/shelves/3')?.method.name, undefined);
    assert.equal(t.match('SEARCH', '/v1/search/x/y')?.variables.get('path'), 'x/y');
    assert.equal(t.match('PATCH', '/v1/shelves/1/books/2')?.variables.get('book.id'), '2');
    assert.equal(t.match('DELETE', '/v1/nothing'), undefined);
  });

  it('prefers a literal segment over a wildcard', () => {
    assert.equal(t.match('GET', '/v1/shelves/5/books/6/title')?.method.name, 'GetBookTitle');
    assert.equal(t.match('GET', '/v1/shelves/5')?.method.name, 'GetShelf');
  });

  it('maps POST /pkg.Service/Method for methods without a rule when auto-mapping is on', () => {
    assert.equal(t.match('POST', '/bookstore.Bookstore/Ping'), undefined);
    const auto = compileTranscoder(call({ autoMapping: true }));
    const m = auto.match('POST', '/bookstore.Bookstore/Ping');
    assert.equal(m?.method.grpcPath, '/bookstore.Bookstore/Ping');
    assert.equal(m?.binding.body, '*');
  });

  it('reports an unusable descriptor set or service as a value naming the field', () => {
    const garbage = checkGrpcJsonCall(call({ descriptorSet: Buffer.from('not a descriptor at all').toString('base64') }));
    assert.equal(garbage.ok, false);
    assert.equal(!garbage.ok && garbage.field, 'descriptorSet');
    const empty = checkGrpcJsonCall(call({ descriptorSet: '' }));
    assert.ok(!empty.ok && /descriptorSet: is empty/.test(empty.message));
    const missing = checkGrpcJsonCall(call({ services: ['bookstore.Bookstore', 'bookstore.Nope'] }));
    assert.ok(!missing.ok && missing.field === 'services[1]' && missing.message.includes('bookstore.Nope'), JSON.stringify(missing));
  });

  it('reports a rule naming a field the request lacks', () => {
    const descriptorSet = bookstoreDescriptorSet({ GetShelf: { get: '/v1/{nope}' } });
    const r = checkGrpcJsonCall(call({ descriptorSet }));
    assert.ok(!r.ok && r.message.includes('GetShelf') && r.message.includes('no field "nope"'), JSON.stringify(r));
  });

  it('reports a malformed template as a value naming the method', () => {
    const r = checkGrpcJsonCall(call({ descriptorSet: bookstoreDescriptorSet({ ListShelves: { get: '/v1/{shelves' } }) }));
    assert.ok(!r.ok && r.field.startsWith('services[0]') && r.message.includes('ListShelves'), JSON.stringify(r));
  });

  it('reports two methods bound to the same method and path template', () => {
    const r = checkGrpcJsonCall(call({ descriptorSet: bookstoreDescriptorSet({ DeleteShelf: { get: '/v1/shelves/{shelf}' } }) }));
    assert.ok(!r.ok && /GET \/v1\/shelves\/\{shelf\} is also bound to bookstore\.Bookstore\.GetShelf/.test(r.message), JSON.stringify(r));
  });
});
