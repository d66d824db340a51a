// The connection's default header codec: hpack.ts's decoder (bounded by our header list size)
// and encoder.
import type { HeaderCodec } from './header-codec.ts';
import { HpackDecoder, HpackEncoder } from './hpack.ts';

export function hpackCodec(maxHeaderListSize: number): HeaderCodec {
  return {
    decoder: () => new HpackDecoder(4096, maxHeaderListSize),
    encoder: () => new HpackEncoder(),
  };
}
