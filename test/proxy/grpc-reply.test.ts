// The gateway's own replies on gRPC requests.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeGrpcMessage, grpcLocalReply, grpcStatusForHttp, isGrpcContentType } from '../../src/proxy/grpc.ts';
import { probeReply, textReply } from '../../src/proxy/local-reply.ts';

describe('gRPC local replies', () => {
  it('recognises gRPC content types', () => {
    for (const t of ['application/grpc', 'application/grpc+proto', 'Application/GRPC+json', 'application/grpc-web']) assert.ok(isGrpcContentType(t), t);
    for (const t of [undefined, 'application/json', 'text/plain']) assert.ok(!isGrpcContentType(t), String(t));
  });

  it('maps HTTP statuses as the gRPC spec does', () => {
    assert.equal(grpcStatusForHttp(404), 12);
    assert.equal(grpcStatusForHttp(503), 14);
    assert.equal(grpcStatusForHttp(502), 14);
    assert.equal(grpcStatusForHttp(431), 2);
    assert.equal(grpcStatusForHttp(401), 16);
  });

  it('percent-encodes grpc-message', () => {
    assert.equal(encodeGrpcMessage('plain text: ok'), 'plain text: ok');
    assert.equal(encodeGrpcMessage('100% é\n'), '100%25 %C3%A9%0A');
  });

  it('turns 404/503 into trailers-only responses and leaves other replies alone', () => {
    const r = grpcLocalReply(textReply(503, 'no healthy upstream'), 'application/grpc+proto');
    assert.equal(r.status, 200);
    assert.equal(r.body, '');
    assert.deepEqual(r.headers, [['content-type', 'application/grpc+proto'], ['grpc-status', '14'], ['grpc-message', '503: no healthy upstream']]);
    assert.equal(grpcLocalReply(textReply(404, 'x'), 'application/grpc').headers[1]![1], '12');
    const probe = probeReply('abc');
    assert.equal(grpcLocalReply(probe, 'application/grpc'), probe);
  });
});
