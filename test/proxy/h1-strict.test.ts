// The checks every node:http request passes (h1-strict.ts): Host and framing as the fast path
// requires them, and the request target read as the fast path would route it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { strictTarget } from '../../src/proxy/h1-strict.ts';

const req = (url: string, rawHeaders: string[], httpVersionMinor = 1) => strictTarget({ url, rawHeaders, httpVersionMinor });

describe('strictTarget', () => {
  it('passes origin-form and * through with the Host as authority', () => {
    assert.deepEqual(req('/a?b', ['Host', 'a.example']), { authority: 'a.example', url: '/a?b' });
    assert.deepEqual(req('*', ['Host', 'a.example']), { authority: 'a.example', url: '*' });
    assert.deepEqual(req('/', [], 0), { authority: undefined, url: '/' }, 'HTTP/1.0 needs no Host');
  });

  it('reads absolute-form as its own authority and an origin-form target', () => {
    assert.deepEqual(req('http://b.example:8080/p?q', ['Host', 'a.example']), { authority: 'b.example:8080', url: '/p?q' });
    assert.deepEqual(req('HTTPS://B.example', ['Host', 'a']), { authority: 'B.example', url: '/' });
    assert.deepEqual(req('http://b.example?q=1', ['Host', 'a']), { authority: 'b.example', url: '/?q=1' });
    for (const bad of ['http://user@b.example/', 'http:///p', 'ftp://b.example/', 'b.example:443', 'p/q']) {
      assert.equal(typeof req(bad, ['Host', 'a']), 'string', bad);
    }
  });

  it('refuses Host and framing shapes the fast path refuses', () => {
    const refused: Array<[string[], number]> = [
      [['Host', 'a', 'host', 'b'], 1],
      [['X', 'y'], 1],
      [['Host', 'a', 'Transfer-Encoding', 'chunked'], 0],
      [['Host', 'a', 'Transfer-Encoding', 'gzip, chunked'], 1],
      [['Host', 'a', 'Transfer-Encoding', 'gzip', 'Transfer-Encoding', 'chunked'], 1],
      [['Host', 'a', 'Content-Length', '1', 'Transfer-Encoding', 'chunked'], 1],
      [['Host', 'a', 'Content-Length', '1', 'content-length', '1'], 1],
    ];
    for (const [raw, minor] of refused) assert.equal(typeof req('/', raw, minor), 'string', JSON.stringify(raw));
    assert.equal(typeof req('/', ['Host', 'a', 'Transfer-Encoding', ' Chunked '], 1), 'object');
  });
});
