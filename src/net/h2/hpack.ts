// HPACK (RFC 7541) for Sluice's own HTTP/2: the decoder for request header blocks, the encoder for
// response header blocks, and the error that means COMPRESSION_ERROR.
export { HpackDecoder } from './hpack-decoder.ts';
export { HpackError } from './hpack-error.ts';
export { HpackEncoder } from './hpack-encoder.ts';
