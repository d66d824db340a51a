import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonMappingError, parseMessage } from '../../src/functions/grpc-json/json-parse.ts';
import { printMessage } from '../../src/functions/grpc-json/json-print.ts';
import { loadDescriptorSet } from '../../src/functions/grpc-json/descriptor-set.ts';
import { formatDuration, formatTimestamp, parseDuration, parseTimestamp } from '../../src/functions/grpc-json/wkt-text.ts';
import { bookstoreDescriptorSet } from './grpc-json-fixture.ts';

const { root } = loadDescriptorSet(bookstoreDescriptorSet(), ['bookstore.Bookstore']);
const Everything = root.lookupType('bookstore.Everything');
const print = { alwaysPrintPrimitiveFields: false, preserveProtoFieldNames: false };

/** JSON -> message -> wire -> message -> JSON. */
function roundTrip(json: unknown): unknown {
  const bytes = Everything.encode(Everything.fromObject(parseMessage(Everything, json))).finish();
  return printMessage(Everything, Everything.decode(bytes) as never, print);
}

describe('proto3 JSON mapping', () => {
  it('round-trips every kind of field through the wire in canonical form', () => {
    const canonical = {
      f: 0.1,
      d: -2.5e-300,
      u: '18446744073709551615',
      s: -7,
      x: '9007199254740993',
      any: { '@type': 'type.googleapis.com/bookstore.Publisher', name: 'Gollancz', countryCode: 'GB' },
      mask: 'title,publisher.countryCode',
      value: { k: [1, 'two', null, true, { n: {} }] },
      list: [[], {}],
      b: 0,
      byId: { '-5': 'minus five', '12': 'twelve' },
      genres: ['FICTION', 'HISTORY'],
      flag: false,
      raw: 'AP8=',
      at: '1969-12-31T23:59:59.999999999Z',
      took: '-0.000001s',
      publishers: { x: { name: 'X' } },
      wrapped: { '@type': 'type.googleapis.com/google.protobuf.Duration', value: '3s' },
    };
    assert.deepEqual(roundTrip(canonical), canonical);
  });

  it('accepts the other forms JSON allows: numbers as strings, enum numbers, url-safe base64, NaN', () => {
    assert.deepEqual(roundTrip({ f: 'NaN', d: '-Infinity', s: '12', genres: [2, 'FICTION'], raw: '_-8', u: 5, by_id: { '7': 'seven' } }), {
      f: 'NaN',
      d: '-Infinity',
      s: 12,
      genres: ['HISTORY', 'FICTION'],
      raw: '/+8=',
      u: '5',
      byId: { '7': 'seven' },
    });
  });

  it('rejects two members of one oneof, and values out of range', () => {
    assert.throws(() => parseMessage(Everything, { a: 'x', b: 1 }), (e: Error) => e instanceof JsonMappingError && /oneof "choice"/.test(e.message));
    assert.throws(() => parseMessage(Everything, { u: '-1' }), /negative/);
    assert.throws(() => parseMessage(Everything, { u: '18446744073709551616' }), /out of range/);
    assert.throws(() => parseMessage(Everything, { byId: { x: 'y' } }), /byId\.x/);
    assert.throws(() => parseMessage(Everything, { any: { name: 'no type' } }), /"@type" is missing/);
    assert.throws(() => parseMessage(Everything, { any: { '@type': 'type.googleapis.com/no.Such' } }), /unknown type/);
  });

  it('prints an Any of a type the descriptor set lacks as its bytes', () => {
    const Any = root.lookupType('google.protobuf.Any');
    const msg = Everything.decode(Everything.encode(Everything.fromObject({ any: Any.fromObject({ type_url: 'example.com/x.Y', value: Buffer.from([1, 2]) }) })).finish());
    assert.deepEqual(printMessage(Everything, msg as never, print), { any: { '@type': 'example.com/x.Y', value: 'AQI=' } });
  });
});

describe('timestamps and durations', () => {
  it('read RFC 3339 with offsets within years 1 to 9999, and write UTC with 0, 3, 6 or 9 digits', () => {
    assert.deepEqual(parseTimestamp('0001-01-01T00:00:00Z'), { seconds: '-62135596800', nanos: 0 });
    assert.deepEqual(parseTimestamp('2000-01-01T02:00:00.5+02:00'), { seconds: '946684800', nanos: 500_000_000 });
    for (const bad of ['2024-02-30T00:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01 00:00:00Z', '2024-01-01T00:00:00', '10000-01-01T00:00:00Z', '2024-01-01T00:00:00.1234567890Z']) {
      assert.equal(parseTimestamp(bad), undefined, bad);
    }
    assert.equal(formatTimestamp(0n, 1), '1970-01-01T00:00:00.000000001Z');
    assert.equal(formatTimestamp(1n, 120_000_000), '1970-01-01T00:00:01.120Z');
  });

  it('read and write signed durations with seconds and nanos of the same sign', () => {
    assert.deepEqual(parseDuration('-1.5s'), { seconds: '-1', nanos: -500_000_000 });
    assert.equal(parseDuration('1.5'), undefined);
    assert.equal(parseDuration('315576000001s'), undefined);
    assert.equal(formatDuration(-1n, -500_000_000), '-1.500s');
    assert.equal(formatDuration(0n, -1000), '-0.000001s');
  });
});
