import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResponseHead } from '../../../src/proxy/fast/parse.ts';
import { UpstreamResponseReader } from '../../../src/proxy/fast/upstream-response.ts';
import type { UpstreamErrorReason } from '../../../src/proxy/upstream-errors.ts';

/** A sink that records what the reader hands it, as text. */
class Recorder extends UpstreamResponseReader {
  events: string[] = [];
  body = '';
  inline = 0;

  start(headRequest = false): this {
    this.expectResponse(headRequest, false);
    return this;
  }
  feed(text: string): void {
    this.readResponse(Buffer.from(text, 'latin1'));
  }
  close(): boolean {
    return this.responseClosed();
  }
  get partial(): boolean {
    return this.holdsPartialHead;
  }
  protected responseHead(buf: Buffer, head: ResponseHead, bodyStart: number): number {
    this.events.push(`head ${head.status}`);
    const n = Math.min(this.inline, buf.length - bodyStart);
    this.body += buf.toString('latin1', bodyStart, bodyStart + n);
    return n;
  }
  protected responseBody(piece: Buffer, last: boolean): void {
    this.body += piece.toString('latin1');
    if (last) this.events.push('last');
  }
  chunkData(data: Buffer): void {
    this.body += data.toString('latin1');
  }
  protected responseTrailers(raw: Buffer | null): void {
    this.events.push(`trailers ${raw === null ? '-' : raw.toString('latin1').trim()}`);
  }
  protected responseFlowed(): void {}
  protected responseDone(): void {
    this.events.push(`done ${this.resReusable ? 'reusable' : 'close'}`);
  }
  protected responseFailed(reason: UpstreamErrorReason): void {
    this.events.push(`failed ${reason}`);
  }
}

/** Feeds `text` one byte per read: every boundary a split read can fall on. */
function byteByByte(r: Recorder, text: string): void {
  for (const c of text) r.feed(c);
}

test('a Content-Length response read one byte at a time ends once, reusable', () => {
  const r = new Recorder().start();
  byteByByte(r, 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello');
  assert.deepEqual(r.events, ['head 200', 'last', 'done reusable']);
  assert.equal(r.body, 'hello');
  assert.equal(r.partial, false);
});

test('body bytes the sink sends with the head are not handed on again', () => {
  const r = new Recorder().start();
  r.inline = 3;
  r.feed('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhel');
  r.feed('lo');
  assert.equal(r.body, 'hello');
  assert.deepEqual(r.events, ['head 200', 'last', 'done reusable']);
});

test('interim 1xx heads are skipped and a partial head is held until it completes', () => {
  const r = new Recorder().start();
  r.feed('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No');
  assert.equal(r.partial, true);
  r.feed(' Content\r\n\r\n');
  assert.deepEqual(r.events, ['head 204', 'done reusable']);
  assert.equal(r.partial, false);
});

test('a chunked response read one byte at a time hands on its data and trailers', () => {
  const r = new Recorder().start();
  byteByByte(r, 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nx-sum: 1\r\n\r\n');
  assert.equal(r.body, 'abcde');
  assert.deepEqual(r.events, ['head 200', 'trailers x-sum: 1', 'done reusable']);
});

test('bytes after a complete response make the connection not reusable', () => {
  const r = new Recorder().start();
  r.feed('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokEXTRA');
  assert.deepEqual(r.events, ['head 200', 'last', 'done close']);
  assert.equal(r.body, 'ok');
});

test('a HEAD response ends at its head whatever its Content-Length says', () => {
  const r = new Recorder().start(true);
  r.feed('HTTP/1.1 200 OK\r\ncontent-length: 99\r\n\r\n');
  assert.deepEqual(r.events, ['head 200', 'done reusable']);
});

test('a body read until close ends when the upstream closes, never reusable', () => {
  const r = new Recorder().start();
  r.feed('HTTP/1.1 200 OK\r\n\r\npart one ');
  r.feed('part two');
  assert.deepEqual(r.events, ['head 200']);
  assert.equal(r.close(), true);
  assert.deepEqual(r.events, ['head 200', 'trailers -', 'done close']);
  assert.equal(r.body, 'part one part two');
});

test('a close before the response ends is reported as incomplete', () => {
  const r = new Recorder().start();
  r.feed('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc');
  assert.equal(r.close(), false);
  assert.deepEqual(r.events, ['head 200']);
});

test('a malformed head or chunk fails the response as a protocol error, once', () => {
  const bad = new Recorder().start();
  bad.feed('HTTP/1.1 2x0 OK\r\n\r\n');
  bad.feed('more');
  assert.deepEqual(bad.events, ['failed protocol']);
  const chunk = new Recorder().start();
  chunk.feed('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n');
  assert.deepEqual(chunk.events, ['head 200', 'failed protocol']);
});

test('the reader reads the next response after one ends (reused per connection)', () => {
  const r = new Recorder().start();
  r.feed('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n');
  r.start();
  r.feed('HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n1\r\nb\r\n0\r\n\r\n');
  assert.equal(r.body, 'ab');
  assert.deepEqual(r.events, ['head 200', 'trailers -', 'done reusable', 'head 201', 'trailers -', 'done reusable']);
});
