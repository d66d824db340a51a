// OpenAPI/Swagger documents to REST functions, as Gloo's function discovery builds them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { discoverFromText } from '../../src/functions/openapi/discover.ts';
import type { DiscoveredFunction } from '../../src/functions/types.ts';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/petstore/${name}`, import.meta.url), 'utf8');

function discover(text: string): { functions: DiscoveredFunction[]; warnings: string[] } {
  const r = discoverFromText(text);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r;
}

const fn = (fns: DiscoveredFunction[], name: string): DiscoveredFunction => {
  const f = fns.find((x) => x.name === name);
  assert.ok(f, `no function ${name} in ${fns.map((x) => x.name).join(', ')}`);
  return f;
};
const headers = (f: DiscoveredFunction): Record<string, string> => Object.fromEntries(f.rest!.headers);

const GET_HEADERS = { 'content-length': '0', 'content-type': '', 'transfer-encoding': '' };

describe('discovery: the Swagger 2.0 Petstore', () => {
  const { functions, warnings } = discover(fixture('swagger.json'));

  it('finds every operation, named by operationId, sorted', () => {
    assert.deepEqual(
      functions.map((f) => f.name),
      [
        'addPet',
        'createUser',
        'createUsersWithArrayInput',
        'createUsersWithListInput',
        'deleteOrder',
        'deletePet',
        'deleteUser',
        'findPetsByStatus',
        'findPetsByTags',
        'getInventory',
        'getOrderById',
        'getPetById',
        'getUserByName',
        'loginUser',
        'logoutUser',
        'placeOrder',
        'updatePet',
        'updatePetWithForm',
        'updateUser',
        'uploadFile',
      ],
    );
    assert.ok(functions.every((f) => f.kind === 'rest'));
  });

  it('a GET with a path parameter: base path, default() templates, body cleared', () => {
    const f = fn(functions, 'getPetById');
    assert.deepEqual(f.rest!.headers, [
      [':method', 'GET'],
      [':path', '/v2/pet/{{ default(petId, "") }}'],
      ['content-length', '0'],
      ['content-type', ''],
      ['transfer-encoding', ''],
    ]);
    assert.deepEqual(f.rest!.body, { type: 'template', text: '' });
  });

  it('query parameters become a query template', () => {
    assert.equal(headers(fn(functions, 'findPetsByStatus'))[':path'], '/v2/pet/findByStatus?status={{default(status, "")}}');
    assert.deepEqual(headers(fn(functions, 'loginUser')), {
      ':method': 'GET',
      ':path': '/v2/user/login?username={{default(username, "")}}&password={{default(password, "")}}',
      ...GET_HEADERS,
    });
  });

  it('a header parameter becomes a header template; non-GET methods send JSON', () => {
    assert.deepEqual(headers(fn(functions, 'deletePet')), {
      ':method': 'DELETE',
      ':path': '/v2/pet/{{ default(petId, "") }}',
      api_key: '{{default(api_key, "")}}',
      'content-type': 'application/json',
    });
    assert.deepEqual(fn(functions, 'deletePet').rest!.body, { type: 'passthrough' });
  });

  it('a body parameter passes the client body through', () => {
    const f = fn(functions, 'addPet');
    assert.deepEqual(headers(f), { ':method': 'POST', ':path': '/v2/pet', 'content-type': 'application/json' });
    assert.deepEqual(f.rest!.body, { type: 'passthrough' });
    assert.equal(headers(fn(functions, 'updateUser'))[':path'], '/v2/user/{{ default(username, "") }}');
  });

  it('form data parameters are ignored with a warning, as Gloo does', () => {
    assert.deepEqual(headers(fn(functions, 'uploadFile'))[':path'], '/v2/pet/{{ default(petId, "") }}/uploadImage');
    assert.ok(warnings.some((w) => /uploadImage.*formData parameter "file" not supported/.test(w)));
    assert.ok(warnings.some((w) => /formData parameter "status" not supported/.test(w)));
  });
});

describe('discovery: the OpenAPI 3 Petstore (YAML)', () => {
  const { functions } = discover(fixture('openapi.yaml'));

  it('finds every operation; the base path is the first server URL path', () => {
    assert.equal(functions.length, 19);
    assert.deepEqual(headers(fn(functions, 'getPetById')), { ':method': 'GET', ':path': '/api/v3/pet/{{ default(petId, "") }}', ...GET_HEADERS });
  });

  it('requestBody operations pass the body through; query parameters on POST', () => {
    assert.deepEqual(fn(functions, 'addPet').rest, {
      headers: [
        [':method', 'POST'],
        [':path', '/api/v3/pet'],
        ['content-type', 'application/json'],
      ],
      body: { type: 'passthrough' },
    });
    assert.equal(headers(fn(functions, 'updatePetWithForm'))[':path'], '/api/v3/pet/{{ default(petId, "") }}?name={{default(name, "")}}&status={{default(status, "")}}');
  });
});

describe('discovery: documents in other shapes', () => {
  it('an operation without operationId is named method + path with dots', () => {
    const { functions } = discover(JSON.stringify({ swagger: '2.0', paths: { '/pets/{id}': { get: {}, delete: {} } } }));
    assert.deepEqual(
      functions.map((f) => f.name),
      ['delete.pets.{id}', 'get.pets.{id}'],
    );
  });

  it('path-level and $ref parameters apply, shared ones first; a header and a query parameter of one name are two', () => {
    const doc = {
      openapi: '3.1.0',
      servers: [{ url: 'https://{host}/base/{version}/', variables: { host: { default: 'x' }, version: { default: 'v9' } } }],
      components: { parameters: { Limit: { name: 'limit', in: 'query' }, 'a/b': { $ref: '#/components/parameters/Limit' } } },
      paths: {
        '/items': {
          parameters: [{ $ref: '#/components/parameters/a~1b' }, { name: 'x-trace', in: 'header' }],
          get: { operationId: 'list', parameters: [{ name: 'q', in: 'query' }, { name: 'x-trace', in: 'query' }] },
        },
      },
    };
    const { functions } = discover(JSON.stringify(doc));
    assert.deepEqual(headers(fn(functions, 'list')), {
      ':method': 'GET',
      ':path': '/base/v9/items?limit={{default(limit, "")}}&q={{default(q, "")}}&x-trace={{default(x-trace, "")}}',
      ...GET_HEADERS,
      'x-trace': '{{default(x-trace, "")}}',
    });
  });

  it('an operation parameter overrides the path item parameter of the same name and location', () => {
    const doc = { swagger: '2.0', paths: { '/a': { parameters: [{ name: 'q', in: 'query' }, { name: 'r', in: 'query' }], get: { operationId: 'a', parameters: [{ name: 'q', in: 'query', required: true }] } } } };
    assert.equal(headers(discover(JSON.stringify(doc)).functions[0]!)[':path'], '/a?r={{default(r, "")}}&q={{default(q, "")}}');
  });

  it('external and broken references are warnings, never fetched', () => {
    const doc = {
      swagger: '2.0',
      paths: {
        '/a': { get: { operationId: 'a', parameters: [{ $ref: 'other.yaml#/parameters/x' }, { $ref: '#/parameters/missing' }, { $ref: '#/parameters/loop' }] } },
        '/b': { $ref: 'https://example.com/paths.json#/b' },
      },
      parameters: { loop: { $ref: '#/parameters/loop' } },
    };
    const { functions, warnings } = discover(JSON.stringify(doc));
    assert.deepEqual(
      functions.map((f) => f.name),
      ['a'],
    );
    assert.equal(warnings.length, 4);
    assert.match(warnings.join('\n'), /external reference "other\.yaml#\/parameters\/x" not followed/);
    assert.match(warnings.join('\n'), /"#\/parameters\/missing" does not resolve/);
    assert.match(warnings.join('\n'), /reference chain too long/);
    assert.match(warnings.join('\n'), /paths\["\/b"\]: external reference/);
  });

  it('a duplicate name keeps the first operation and warns', () => {
    const { functions, warnings } = discover(JSON.stringify({ swagger: '2.0', paths: { '/a': { get: { operationId: 'x' } }, '/b': { get: { operationId: 'x' } } } }));
    assert.equal(headers(functions[0]!)[':path'], '/a');
    assert.match(warnings[0]!, /paths\["\/b"\]\.get: function name "x" already taken/);
  });

  it('a parameter the template language cannot name skips its function with a warning', () => {
    const { functions, warnings } = discover(JSON.stringify({ swagger: '2.0', paths: { '/a': { get: { operationId: 'bad', parameters: [{ name: 'two words', in: 'query' }] } } } }));
    assert.equal(functions.length, 0);
    assert.match(warnings[0]!, /function "bad" skipped: its :path template does not compile/);
  });

  it('errors are values: not a document, not OpenAPI, no paths, a consumes Gloo cannot serve', () => {
    const cases: [string, RegExp][] = [
      ['{"a": [', /neither JSON nor YAML/],
      ['- 1\n- 2\n', /not a JSON\/YAML object/],
      ['{"info": {}}', /not a Swagger 2\.0 or OpenAPI 3 document/],
      ['{"openapi": "3.0.0"}', /no "paths" object/],
      ['{"swagger": "2.0", "consumes": ["application/xml"], "paths": {}}', /consumes only \["application\/xml"\]/],
    ];
    for (const [text, expected] of cases) {
      const r = discoverFromText(text);
      assert.equal(r.ok, false, text);
      assert.match(r.ok ? '' : r.error, expected);
    }
  });

  it('a YAML alias bomb is refused, not expanded', () => {
    let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 12; i++) text += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
    const r = discoverFromText(text);
    assert.equal(r.ok, false);
  });
});
