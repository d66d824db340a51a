// Hostile requests against the rule matcher and the request mapping: whatever a client sends ends
// in a message or a JsonMappingError (a 400), never another exception.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonMappingError } from '../../src/functions/grpc-json/json-parse.ts';
import { buildRequest } from '../../src/functions/grpc-json/request.ts';
import { compileTranscoder } from '../../src/functions/grpc-json/rules.ts';
import { mulberry32 } from '../support/prng.ts';
import { bookstoreDescriptorSet } from './grpc-json-fixture.ts';

const t = compileTranscoder({
  type: 'grpc-json',
  descriptorSet: bookstoreDescriptorSet(),
  services: ['bookstore.Bookstore'],
  print: { alwaysPrintPrimitiveFields: false, preserveProtoFieldNames: false },
  ignoredQueryParameters: [],
  autoMapping: true,
});

const KEYS = ['id', 'shelf', 'theme', 'createdAt', 'created_at', 'book', 'title', 'genre', 'tags', 'publisher', 'countryCode', 'readTime', 'pages', 'extra', 'cover', 'labels', 'filter', 'limit', 'reason', 'notify', 'text', 'q', 'path', '__proto__', 'constructor', '@type', 'seconds', 'value', 'name'];
const SCALARS: unknown[] = [null, true, false, 0, -1, 1.5, 2 ** 64, -(2 ** 70), 1e308, '', 'x', '12', '-3', '1e3', 'NaN', 'Infinity', 'FICTION', 'AAAA', '@@', '2020-01-01T00:00:00Z', '1.5s', '9999-99-99T99:99:99Z', '99999999999999999999s', '\u0000', '%zz'];
const SEGMENTS = ['v1', 'shelves', 'books', 'search', '1', '-7', 'x', '%2F', '%zz', '%C3%28', '', '..', ':archive', 'a:b', 'title', 'bookstore.Bookstore', 'Ping', '**', '{x}'];

function value(r: () => number, depth: number): unknown {
  const k = r();
  if (depth > 3 || k < 0.5) return SCALARS[Math.floor(r() * SCALARS.length)];
  if (k < 0.75) return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
  return Object.fromEntries(Array.from({ length: Math.floor(r() * 4) }, () => [KEYS[Math.floor(r() * KEYS.length)]!, value(r, depth + 1)]));
}

describe('hostile requests', () => {
  it('end in a request message or a JsonMappingError, for 3000 seeded random requests', () => {
    const r = mulberry32(14);
    const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'SEARCH'];
    let matched = 0;
    for (let i = 0; i < 3000; i++) {
      const path = `/${Array.from({ length: 1 + Math.floor(r() * 5) }, () => SEGMENTS[Math.floor(r() * SEGMENTS.length)]).join('/')}`;
      const query = Array.from({ length: Math.floor(r() * 3) }, () => `${KEYS[Math.floor(r() * KEYS.length)]}${r() < 0.3 ? '.seconds' : ''}=${encodeURIComponent(String(SCALARS[Math.floor(r() * SCALARS.length)]))}`).join('&');
      const body = r() < 0.1 ? '{"a":' : JSON.stringify(value(r, 0)) ?? '';
      const m = t.match(methods[Math.floor(r() * methods.length)]!, r() < 0.5 ? path : ['/v1/shelves/1/books', '/v1/shelves', '/v1/shelves/2/books/3', '/v1/shelves/4:archive', '/bookstore.Bookstore/Ping'][i % 5]!);
      if (!m) continue;
      matched++;
      try {
        buildRequest(m, { query, body: Buffer.from(body) }, { ignored: new Set(), ignoreUnknown: i % 2 === 0 });
      } catch (err) {
        assert.ok(err instanceof JsonMappingError, `${m.method.name} ?${query} ${body}: ${(err as Error).stack}`);
      }
    }
    assert.ok(matched > 500, `enough requests matched a rule (${matched})`);
  });
});
