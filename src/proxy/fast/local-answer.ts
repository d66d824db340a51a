// What the fast path says to a client itself, rather than forwarding: the exchange core's local
// replies (exchange.ts, local-reply.ts), refusals of heads it could not parse, and the hand-off of
// a connection to node:http for what it does not handle.
import type http from 'node:http';
import type { Socket } from 'node:net';
import type { LocalReply } from '../local-reply.ts';
import { errorBytes, localReplyBytes } from './wire.ts';

/** Writes a local reply; `close` ends the connection after it (the caller ends the socket). */
export function writeLocalReply(s: Socket, reply: LocalReply, headRequest: boolean, close: boolean): void {
  s.write(localReplyBytes(reply, headRequest, close));
}

/** Refuses a request whose head could not be read (same answer as node:http's clientError), and closes. */
export function refuse(s: Socket, status: 400 | 408 | 431): void {
  s.end(errorBytes(status), 'latin1');
  s.destroySoon();
}

/** The connection's own listeners, removed when node:http takes the socket. */
export interface SocketListeners {
  readonly data: (chunk: Buffer) => void;
  readonly end: () => void;
  readonly error: () => void;
  readonly close: () => void;
  readonly drain: () => void;
}

/** Starts listening to a client socket handed over paused. */
export function attach(s: Socket, on: SocketListeners): void {
  s.on('data', on.data);
  s.on('end', on.end);
  s.on('error', on.error);
  s.on('close', on.close);
  s.on('drain', on.drain);
  s.resume();
}

/** Hands the socket to node:http, with the bytes read but not consumed pushed back in front of it. */
export function handOff(s: Socket, on: SocketListeners, pending: Buffer | null, fallback: http.Server): void {
  s.removeListener('data', on.data);
  s.removeListener('end', on.end);
  s.removeListener('error', on.error);
  s.removeListener('close', on.close);
  s.removeListener('drain', on.drain);
  s.pause();
  if (pending !== null) s.unshift(pending);
  fallback.emit('connection', s);
  s.resume();
}
