import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { frame, FrameDecoder } from '../../src/functions/grpc-json/frames.ts';
import { JsonMappingError } from '../../src/functions/grpc-json/json-parse.ts';
import { printMessage } from '../../src/functions/grpc-json/json-print.ts';
import { buildRequest } from '../../src/functions/grpc-json/request.ts';
import { compileTranscoder } from '../../src/functions/grpc-json/rules.ts';
import { bookstoreDescriptorSet } from './grpc-json-fixture.ts';

const t = compileTranscoder({
  type: 'grpc-json',
  descriptorSet: bookstoreDescriptorSet(),
  services: ['bookstore.Bookstore'],
  print: { alwaysPrintPrimitiveFields: false, preserveProtoFieldNames: false },
  ignoredQueryParameters: [],
  autoMapping: true,
});
const camel = { alwaysPrintPrimitiveFields: false, preserveProtoFieldNames: false };

/** Transcodes a request and prints the message the upstream would get, as JSON with proto names. */
function transcode(method: string, target: string, body = '', ignored: string[] = [], ignoreUnknown = false): unknown {
  const [path, query = ''] = target.split('?') as [string, string?];
  const m = t.match(method, path);
  assert.ok(m, `${method} ${path} matches`);
  const bytes = buildRequest(m, { query, body: Buffer.from(body) }, { ignored: new Set(ignored), ignoreUnknown });
  return printMessage(m.method.input, m.method.input.decode(bytes) as never, { alwaysPrintPrimitiveFields: false, preserveProtoFieldNames: true });
}

describe('request mapping', () => {
  it('fills fields from path variables, nested and repeated query parameters and enums by name', () => {
    assert.deepEqual(transcode('GET', '/v1/shelves/7/books?genre=FICTION&tags=a&tags=b%20c&filter.author=Le+Guin&filter.minPages=100&limit=2'), {
      shelf: '7',
      genre: 'FICTION',
      tags: ['a', 'b c'],
      filter: { author: 'Le+Guin', min_pages: 100 },
      limit: 2,
    });
  });

  it('answers an unknown query parameter with an error unless it is ignored', () => {
    assert.throws(() => transcode('GET', '/v1/shelves/7/books?api_key=x'), (e: Error) => e instanceof JsonMappingError && /unknown query parameter "api_key"/.test(e.message));
    assert.deepEqual(transcode('GET', '/v1/shelves/7/books?api_key=x', '', ['api_key']), { shelf: '7' });
    assert.throws(() => transcode('GET', '/v1/shelves/7/books?limit=many'), JsonMappingError);
    assert.deepEqual(transcode('GET', '/v1/shelves/7/books?utm=x&filter.nope=1&filter=2&limit=3', '', [], true), { shelf: '7', limit: 3 }, 'ignoreUnknownQueryParameters skips what maps to no field');
    assert.throws(() => transcode('GET', '/v1/shelves/7/books?limit=many', '', [], true), JsonMappingError, 'but not a bad value');
    assert.throws(() => transcode('GET', '/v1/shelves/7/books?genre=POETRY'), JsonMappingError);
  });

  it('puts a body field and the path variables into the message, the path winning', () => {
    assert.deepEqual(transcode('PATCH', '/v1/shelves/3/books/44', JSON.stringify({ id: '1', title: 'Dune', publisher: { countryCode: 'US' } })), {
      shelf: '3',
      book: { id: '44', title: 'Dune', publisher: { country_code: 'US' } },
    });
  });

  it('maps body "*" onto the whole message, accepting proto and lowerCamelCase names', () => {
    assert.deepEqual(transcode('POST', '/v1/shelves/9:archive', '{"reason":"old","notify":true}'), { shelf: '9', reason: 'old', notify: true });
    assert.deepEqual(transcode('POST', '/bookstore.Bookstore/Ping', '{"text":"hi"}'), { text: 'hi' });
  });

  it('reads int64 strings, enums, bytes, maps and the well-known types', () => {
    const book = {
      id: '9007199254740993',
      genre: 'HISTORY',
      readTime: '3600.5s',
      pages: 321,
      extra: { a: [1, 'x', null, { b: true }] },
      cover: Buffer.from('png').toString('base64'),
      labels: { lang: 'en' },
    };
    assert.deepEqual(transcode('POST', '/v1/shelves/1/books', JSON.stringify(book)), {
      shelf: '1',
      book: { id: '9007199254740993', genre: 'HISTORY', read_time: '3600.500s', pages: 321, extra: { a: [1, 'x', null, { b: true }] }, cover: 'cG5n', labels: { lang: 'en' } },
    });
    const shelf = transcode('POST', '/v1/shelves', '{"theme":"sf","created_at":"2024-02-29T12:00:00.250+01:00"}') as { shelf: Record<string, unknown> };
    assert.equal(shelf.shelf.created_at, '2024-02-29T11:00:00.250Z');
  });

  it('answers invalid JSON and mistyped values with errors naming the field', () => {
    assert.throws(() => transcode('POST', '/v1/shelves', '{"theme":'), (e: Error) => e instanceof JsonMappingError && /not valid JSON/.test(e.message));
    assert.throws(() => transcode('POST', '/v1/shelves', '{"theme":5}'), /theme: 5 is not a string/);
    assert.throws(() => transcode('POST', '/v1/shelves', '{"colour":"red"}'), /colour: no such field/);
    assert.throws(() => transcode('POST', '/v1/shelves', '{"createdAt":"yesterday"}'), /createdAt: "yesterday" is not an RFC 3339 timestamp/);
    assert.throws(() => transcode('POST', '/v1/shelves', '{"id":"12x"}'), /id: "12x" is not an integer/);
    assert.throws(() => transcode('POST', '/v1/shelves/1/books', '{"pages":4294967296}'), /out of range/);
    assert.throws(() => transcode('POST', '/v1/shelves/1/books', '[1]'), /a JSON object is expected/);
  });
});

describe('hostile request input', () => {
  it('answers object-prototype names as unknown fields, not as fields', () => {
    for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      assert.throws(() => transcode('POST', '/v1/shelves', `{"${key}":{}}`), JsonMappingError, key);
      assert.throws(() => transcode('GET', `/v1/shelves/1/books?${key}=1`), JsonMappingError, key);
      assert.throws(() => transcode('GET', `/v1/shelves/1/books?filter.${key}=1`), JsonMappingError, key);
    }
  });

  it('keeps a map key named __proto__ as data', () => {
    const out = transcode('POST', '/v1/shelves/1/books', '{"labels":{"__proto__":"x","a":"b"}}') as { book: { labels: Record<string, string> } };
    assert.equal(out.book.labels.a, 'b');
    assert.equal(Object.getPrototypeOf({}), Object.prototype);
  });

  it('answers JSON nested deeper than 100 levels with an error, not a stack overflow', () => {
    const deep = `{"extra":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`;
    assert.throws(() => transcode('POST', '/v1/shelves/1/books', deep), (e: Error) => e instanceof JsonMappingError && /nested deeper/.test(e.message));
  });
});

describe('response printing', () => {
  const Book = t.root.lookupType('bookstore.Book');
  it('leaves defaults out unless asked, and uses lowerCamelCase unless told to keep proto names', () => {
    const msg = Book.decode(Book.encode(Book.fromObject({ id: '5', title: '', publisher: { country_code: 'FR' }, read_time: { seconds: 90, nanos: 0 } })).finish());
    assert.deepEqual(printMessage(Book, msg as never, camel), { id: '5', publisher: { countryCode: 'FR' }, readTime: '90s' });
    const all = printMessage(Book, msg as never, { alwaysPrintPrimitiveFields: true, preserveProtoFieldNames: true }) as Record<string, unknown>;
    assert.equal(all.title, '');
    assert.equal(all.genre, 'GENRE_UNSPECIFIED');
    assert.deepEqual(all.tags, []);
    assert.deepEqual(all.labels, {});
    assert.equal('pages' in all, false, 'message fields stay absent');
  });
});

describe('gRPC frames', () => {
  it('split a byte stream cut anywhere into its messages', () => {
    const bytes = Buffer.concat([frame(Buffer.from('one')), frame(Buffer.alloc(0)), frame(Buffer.from('three'))]);
    const d = new FrameDecoder();
    const out = [...bytes].flatMap((b) => d.push(Buffer.of(b)));
    assert.deepEqual(out.map(String), ['one', '', 'three']);
    assert.equal(d.pending, false);
  });

  it('refuse a frame longer than the bound instead of buffering it', () => {
    const head = Buffer.from([0, 0xff, 0xff, 0xff, 0xff]);
    assert.throws(() => new FrameDecoder().push(head), /exceeds/);
  });
});
