// HPACK's one error: a header block the decoder cannot accept (RFC 7541 section 2.3.2...6.3).
// The HTTP/2 layer answers it with a connection error of type COMPRESSION_ERROR (RFC 9113 4.3),
// because the peer's and our dynamic tables can no longer be trusted to agree.
export class HpackError extends Error {
  override readonly name = 'HpackError';
}
