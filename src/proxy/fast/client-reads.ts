// Client sockets reading into a buffer the fast path owns, as the upstream sockets do (net's
// `onread` option), instead of node's default for accepted sockets: a new 64 KiB allocation for
// every read, shrunk to the bytes read and wrapped in a new ArrayBuffer. Those ArrayBuffers were
// most of what a scavenge spends sweeping array buffers, half of each pause under small-GET load
// (bench/README.md, "Where the small-GET tail comes from").
//
// A server hands out its sockets already made, so `onread` cannot be passed; the socket is switched
// the way net.Socket sets it up itself: the three private fields `onread` fills, found once on a
// probe socket, then the handle's useUserBuffer(). When this Node lays them out otherwise, nothing
// is switched and reads go on as 'data' events.
import dc from 'node:diagnostics_channel';
import net from 'node:net';

/**
 * Published with the socket on every client read that goes into a fast-path buffer (such reads are
 * no 'data' events, which is what a diagnostic wrapping Socket.emit would see). Only diagnostics
 * subscribe (bench/preload/tail.mjs); with none, a read pays one boolean check.
 */
export const clientReadChannel = dc.channel('sluice:fast:client-read');

/** The private fields net.Socket keeps `onread` in (found by their values on a probe socket). */
interface ReadFields {
  readonly buffer: symbol;
  readonly callback: symbol;
  readonly next: symbol;
}

const FIELDS: ReadFields | undefined = probe();

function probe(): ReadFields | undefined {
  const buffer = Buffer.alloc(1);
  const callback = (): void => {};
  const next = (): Buffer => buffer;
  const s = new net.Socket({ onread: { buffer: next, callback } } as net.SocketConstructorOpts);
  const fields = s as unknown as Record<symbol, unknown>;
  let b: symbol | undefined;
  let c: symbol | undefined;
  let n: symbol | undefined;
  for (const k of Object.getOwnPropertySymbols(s)) {
    const v = fields[k];
    if (v === callback) c = k;
    else if (v === next) n = k;
    // With a buffer function and no handle yet, net marks the field `true`.
    else if (v === true && k.description === 'kBuffer') b = k;
  }
  s.destroy();
  return b !== undefined && c !== undefined && n !== undefined ? { buffer: b, callback: c, next: n } : undefined;
}

interface UserBufferHandle {
  useUserBuffer(buf: Uint8Array): void;
}

/**
 * Makes `socket`'s reads go into the buffer `next()` returns (asked again after every read) and
 * hands each to `onRead(bytes, buffer)`, which returns false to stop reading (as a 'data' consumer
 * pauses). Returns false, leaving the socket as it was, when this Node or socket cannot. Bytes
 * already buffered on the socket (pushed back with unshift) still come as 'data', before any read.
 */
export function readInto(socket: net.Socket, next: () => Buffer, onRead: (n: number, buf: Buffer) => boolean): boolean {
  const handle = (socket as unknown as { _handle?: Partial<UserBufferHandle> | null })._handle;
  if (FIELDS === undefined || handle == null || typeof handle.useUserBuffer !== 'function') return false;
  const first = next();
  // node asserts (aborts the process) on anything else
  if (!Buffer.isBuffer(first)) return false;
  const fields = socket as unknown as Record<symbol, unknown>;
  fields[FIELDS.buffer] = first;
  fields[FIELDS.callback] = onRead;
  fields[FIELDS.next] = next;
  handle.useUserBuffer(first);
  return true;
}

/** Whether this Node's sockets can be switched (tests assert it, so an upgrade that breaks it is seen). */
export const CAN_READ_INTO = FIELDS !== undefined;
