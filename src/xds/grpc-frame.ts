// gRPC's length-prefixed message frame (a flag byte, 0: not compressed, then the message's length,
// big-endian) built once with a shared response, and handed to grpc-js as it is. grpc-js (1.x)
// frames every message it sends into a buffer of its own (serializeMessage: allocate length + 5,
// copy the message in), so one 47 MiB route configuration pushed to 100 streams would be copied
// 100 times and held 100 times until written. A stream's call is told here to send a response's
// frame as is; anything else goes through grpc-js's own framing.
import type { EncodedResponse } from './responses.ts';
import { isEncodedResponse } from './responses.ts';

export const FRAME_HEADER_BYTES = 5;

/** Writes the frame header at the start of `frame`, for the message after it. */
export function writeFrameHeader(frame: Buffer): void {
  frame[0] = 0;
  frame.writeUInt32BE(frame.length - FRAME_HEADER_BYTES, 1);
}

/** What grpc-js's server call (BaseServerInterceptingCall) is here: the method that frames a message. */
interface FramingCall {
  serializeMessage(value: unknown): Buffer;
}

const isFramingCall = (value: unknown): value is FramingCall =>
  typeof value === 'object' && value !== null && typeof (value as { serializeMessage?: unknown }).serializeMessage === 'function';

/**
 * Makes `call` (a grpc-js server stream) send EncodedResponses' frames without copying them.
 * Returns false, changing nothing, when grpc-js is not laid out as expected (another version):
 * responses are then copied into frames by grpc-js as before.
 */
export function sendFramesAsIs(call: object): boolean {
  const inner = (call as { call?: unknown }).call;
  if (!isFramingCall(inner)) return false;
  const frame = inner.serializeMessage.bind(inner);
  inner.serializeMessage = (value: unknown) => (typeof value === 'object' && value !== null && isEncodedResponse(value) ? (value as EncodedResponse).frame : frame(value));
  return true;
}
