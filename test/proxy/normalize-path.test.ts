// Path normalisation before routing (RFC 3986 5.2.4 and 6.2.2, merged slashes), and fragments.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routedTarget } from '../../src/proxy/normalize-path.ts';

const cases: Array<[string, string]> = [
  ['/', '/'],
  ['/a/b?x=1', '/a/b?x=1'],
  ['/index.html', '/index.html'],
  ['/.well-known/acme', '/.well-known/acme'],
  ['/public/../private', '/private'],
  ['/public/./x', '/public/x'],
  ['/a/b/..', '/a/'],
  ['/a/b/.', '/a/b/'],
  ['/a/', '/a/'],
  ['/..', '/'],
  ['/../../etc/passwd', '/etc/passwd'],
  ['/public/%2e%2e/private', '/private'],
  ['/public/%2E%2e/private', '/private'],
  ['/public/.%2e/private', '/private'],
  ['//a///b//', '/a/b/'],
  // Slashes merge before dot-segments go: the empty segment is not a directory `..` can leave.
  ['/public//../private', '/private'],
  ['/%7euser/%41%62c', '/~user/Abc'],
  ['/a%2fb/%2F..', '/a%2fb/%2F..'],
  ['/a%2fb', '/a%2fb'],
  ['/a%zz/%', '/a%zz/%'],
  ['/a%2', '/a%2'],
  ['/p/../q?next=/../x//y', '/q?next=/../x//y'],
  ['/p?q#frag', '/p?q'],
  ['/public#/../private', '/public'],
  ['/a/..#x', '/'],
  ['*', '*'],
];

describe('routedTarget', () => {
  for (const [input, expected] of cases) {
    it(`normalises ${JSON.stringify(input)} to ${JSON.stringify(expected)}`, () => {
      assert.equal(routedTarget(input, true), expected);
    });
  }

  it('returns the very same string when there is nothing to normalise', () => {
    const s = '/api/v1/items/42?sort=asc';
    assert.equal(routedTarget(s, true), s);
  });

  it('only removes the fragment when normalisation is off', () => {
    assert.equal(routedTarget('/public/../private', false), '/public/../private');
    assert.equal(routedTarget('//a/%2e%2e/b', false), '//a/%2e%2e/b');
    assert.equal(routedTarget('/a/../b#frag', false), '/a/../b');
  });
});
