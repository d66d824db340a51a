// One core server and its raw clients per test, torn down after each: the set-up every
// hostile-client test file of the core shares.
import { afterEach } from 'node:test';
import type { H2ServerOptions } from '../../../src/net/h2/connection.ts';
import type { H2Stream } from '../../../src/net/h2/stream.ts';
import { helloHandler } from './hello-handler.ts';
import { RawClient, type RawClientOptions } from './raw-client.ts';
import { type CoreServer, startCore } from './support.ts';

export interface CoreFixture {
  /** Starts the core for the current test (startCore's arguments). */
  start(handler?: (s: H2Stream) => void, options?: Partial<H2ServerOptions>): Promise<CoreServer>;
  /** A raw client of the running core. */
  client(options?: RawClientOptions): Promise<RawClient>;
  /** Closes a client made elsewhere after the test too. */
  track(c: RawClient): RawClient;
  /** The running core (only after start). */
  readonly server: CoreServer;
}

/** Call at a test file's top level: registers the afterEach that closes what each test opened. */
export function coreFixture(): CoreFixture {
  let server: CoreServer | undefined;
  let clients: RawClient[] = [];
  afterEach(async () => {
    for (const c of clients) c.destroy();
    clients = [];
    await server?.close();
    server = undefined;
  });
  const track = (c: RawClient): RawClient => {
    clients.push(c);
    return c;
  };
  return {
    start: async (handler = helloHandler, options = {}) => (server = await startCore(handler, options)),
    client: async (options = {}) => track(await RawClient.open(server!.port, undefined, options)),
    track,
    get server(): CoreServer {
      if (server === undefined) throw new Error('the core is not started');
      return server;
    },
  };
}
