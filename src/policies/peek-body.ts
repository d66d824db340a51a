// Reads the first bytes of a request body for a policy that must see them before the request goes
// on (ext_authz's with_request_body), and puts them back: the front end then forwards the body from
// its own stream as if nothing had read it, so no front end needs a second way of sending bodies.
// The bytes go back with Readable.unshift() before 'end' can be emitted (unshift after 'end' is an
// error), which is why the stream is read in paused mode, with 'readable', and never to its end event.
import type { Readable } from 'node:stream';

export interface PeekedBody {
  /** at most `max` bytes from the start of the body */
  readonly bytes: Buffer;
  /** the body is longer than `bytes` */
  readonly partial: boolean;
}

// push(null) has arrived: no public property tells it before 'end' is emitted.
const ended = (s: Readable): boolean => (s as unknown as { _readableState?: { ended?: boolean } })._readableState?.ended === true;

/**
 * Resolves with the body's first `max` bytes once the body ended or passed `max`; undefined when the
 * client went away or the body did not come within `waitMs`. The stream is left paused with every
 * byte it had still to be read.
 */
export function peekBody(body: Readable, max: number, waitMs: number): Promise<PeekedBody | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: PeekedBody | undefined): void => {
      clearTimeout(timer);
      body.off('readable', onReadable);
      body.off('close', onGone);
      body.off('error', onGone);
      // Last chunk first: each unshift goes in front of the one before.
      for (let i = chunks.length - 1; i >= 0; i--) body.unshift(chunks[i]!);
      resolve(result);
    };
    const done = (): void => {
      const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      finish({ bytes: size > max ? all.subarray(0, max) : all, partial: size > max });
    };
    const onReadable = (): void => {
      let chunk: Buffer | null;
      while (size <= max && (chunk = body.read() as Buffer | null) !== null) {
        chunks.push(chunk);
        size += chunk.length;
      }
      if (size > max || ended(body)) done();
    };
    const onGone = (): void => finish(undefined);
    const timer = setTimeout(onGone, waitMs);
    body.on('readable', onReadable);
    body.once('close', onGone);
    body.once('error', onGone);
  });
}
