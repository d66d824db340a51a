// Peers that stop answering: one that never acknowledges our SETTINGS (RFC 9113 6.5.3), one that
// goes dead behind a NAT (keep-alive PING with a deadline), and idle connections.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { H2ServerOptions } from '../../../src/net/h2/connection.ts';
import { DATA, FLAG_END_HEADERS, FLAG_END_STREAM, GOAWAY, HEADERS, NO_ERROR, PING, SETTINGS_TIMEOUT } from '../../../src/net/h2/frames.ts';
import { coreFixture } from './core-fixture.ts';
import { helloHandler } from './hello-handler.ts';
import { type RawClient, type RawClientOptions, goawayCode } from './raw-client.ts';
import { literalBlock } from './support.ts';

const core = coreFixture();

const client = (options: RawClientOptions = {}): Promise<RawClient> => core.client(options);

async function serve(options: Partial<H2ServerOptions>): Promise<void> {
  await core.start(helloHandler, options);
}

const GET = literalBlock([':method', 'GET', ':scheme', 'http', ':authority', 'x', ':path', '/']);
const isGoaway = (f: { type: number }): boolean => f.type === GOAWAY;

describe('HTTP/2 core liveness', () => {
  it('ends a connection whose peer never acknowledges our SETTINGS with GOAWAY SETTINGS_TIMEOUT', async () => {
    await serve({ settingsTimeoutMs: 200 });
    const silent = await client({ ackSettings: false });
    const polite = await client();
    const t0 = Date.now();
    assert.equal(goawayCode(await silent.waitFor(isGoaway, 'GOAWAY', 3000)), SETTINGS_TIMEOUT);
    assert.ok(Date.now() - t0 >= 150, 'not before the bound');
    await silent.waitClosed();
    // The peer that acknowledged is still served.
    polite.out.frame(HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, 1, GET);
    polite.send();
    await polite.waitFor((f) => f.type === DATA && f.id === 1, 'the response');
    assert.equal(polite.frames.some(isGoaway), false);
  });

  it('PINGs an idle connection and drops it when the ACK does not come in time', async () => {
    await serve({ keepAlive: { intervalMs: 100, timeoutMs: 150 } });
    const dead = await client({ answerPings: false });
    const alive = await client({ answerPings: true });
    await dead.waitFor((f) => f.type === PING && (f.flags & 1) === 0, 'a keep-alive PING', 3000);
    await dead.waitClosed(3000);
    // The peer that answers keeps its connection across several intervals, and is served.
    await alive.waitFor((f) => f.type === PING && (f.flags & 1) === 0, 'a keep-alive PING', 3000);
    const pings = (): number => alive.frames.filter((f) => f.type === PING && (f.flags & 1) === 0).length;
    const deadline = Date.now() + 3000;
    while (pings() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.ok(pings() >= 3, `several PINGs answered (${pings()})`);
    assert.equal(alive.closed, false);
    alive.out.frame(HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, 1, GET);
    alive.send();
    await alive.waitFor((f) => f.type === DATA && f.id === 1, 'the response');
  });

  it('still closes a connection with no streams after the idle timeout while keep-alive PINGs are answered', async () => {
    await serve({ idleTimeoutMs: 300, keepAlive: { intervalMs: 50, timeoutMs: 1000 } });
    const c = await client({ answerPings: true });
    assert.equal(goawayCode(await c.waitFor(isGoaway, 'GOAWAY', 3000)), NO_ERROR);
    assert.ok(c.frames.some((f) => f.type === PING), 'keep-alive PINGs went out meanwhile');
    await c.waitClosed();
  });
});
