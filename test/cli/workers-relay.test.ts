// The relay between `serve --workers N`'s primary and its workers, in one process: a worker that starts
// late (a restart after a crash) reaches the primary's snapshot even when the primary's translation
// depends on history (a new version waiting for endpoints, a rejected edit keeping the last good
// version), where the current state alone would give another snapshot; and whole states (Kubernetes
// mode's) travel as their differences.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Sourced } from '../../src/api/types.ts';
import { serveDefaults, translateOptionsFromFlags } from '../../src/cli/serve.ts';
import { standsAlone, TeeSource } from '../../src/cli/relay-tee.ts';
import { createLogger } from '../../src/log.ts';
import { Pipeline } from '../../src/pipeline.ts';
import { FileSource } from '../../src/sources/file.ts';
import { StateRelayLog } from '../../src/sources/relay-log.ts';
import type { RelayState } from '../../src/sources/relay-protocol.ts';
import { RelayedSource, type RelayChannel } from '../../src/sources/relay.ts';
import type { SourceState } from '../../src/sources/types.ts';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually } from '../support/http.ts';

const log = createLogger('silent');
const options = translateOptionsFromFlags(serveDefaults, false);

/** A worker's pipeline fed through a channel; `deliver` hands it a message from the primary. */
function worker(): { pipeline: Pipeline; deliver: (m: RelayState) => void; hello: Promise<void>; warnings: string[] } {
  const listeners = new Set<(m: unknown) => void>();
  let said: () => void = () => {};
  const hello = new Promise<void>((r) => (said = r));
  const channel: RelayChannel = {
    send: (m) => {
      if (m.type === 'sluice:relay-hello') said();
    },
    onMessage: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  const warnings: string[] = [];
  const pipeline = new Pipeline(new RelayedSource(channel, (w) => warnings.push(w)), options, log);
  return { pipeline, deliver: (m) => listeners.forEach((l) => l(m)), hello, warnings };
}

async function startedWorker(messages: readonly RelayState[]): Promise<Pipeline> {
  const w = worker();
  const started = w.pipeline.start();
  await w.hello;
  for (const m of messages) w.deliver(m);
  await started;
  assert.deepEqual(w.warnings, []);
  return w.pipeline;
}

describe('relaying source states to workers', () => {
  let cfg: ConfigDir;
  let primary: Pipeline;
  const relay = new StateRelayLog();
  let last: SourceState | undefined;
  const live = worker();

  const write = (service: string, extra: object[] = []) =>
    cfg.write('a.yaml', [...backend('s1', [{ ip: '127.0.0.1', port: 9001 }]), ...backend('s2', []), ingress('w', [{ hosts: ['w.example.com'], paths: [{ splits: [{ service }] }] }]), ...extra]);
  const pushed = async (seq: number) => assert.ok(await eventually(() => relay.seq >= seq, 10_000), `state ${seq} pushed`);
  const hashOf = (p: Pipeline) => p.feed.current()?.hash;

  before(async () => {
    cfg = await ConfigDir.create();
    await write('s1');
    const source = new TeeSource(new FileSource({ dir: cfg.dir, debounceMs: 10, rescanIntervalMs: 0 }), (state) => {
      last = state;
      live.deliver(relay.publish(state, hashOf(primary) ?? '', standsAlone(primary.feed.statuses())));
    });
    primary = new Pipeline(source, options, log);
    const liveStarted = live.pipeline.start();
    await live.hello;
    await primary.start();
    await liveStarted;
  });
  after(async () => {
    await primary.stop();
    await cfg.cleanup();
  });

  it('a worker started on the first state serves the primary\'s snapshot, and the log is one base', async () => {
    assert.equal(hashOf(live.pipeline), hashOf(primary));
    assert.equal(relay.replay().length, 1);
    assert.equal(hashOf(await startedWorker(relay.replay())), hashOf(primary));
  });

  it('a late worker replays the history that holds a version back for endpoints', async () => {
    const served = hashOf(primary);
    await write('s2'); // s2 has no endpoints: the primary keeps serving the version that sends to s1
    await pushed(2);
    assert.equal(hashOf(primary), served, 'the previous version stays served');
    assert.ok(relay.replay().length > 1, 'the log keeps the history since the last standalone state');
    assert.equal(hashOf(live.pipeline), hashOf(primary));
    assert.equal(hashOf(await startedWorker(relay.replay())), hashOf(primary));
    const fromCurrentOnly = await startedWorker([{ type: 'sluice:relay-state', seq: 1, whole: last!.resources, rejections: last!.rejections, hash: '' }]);
    assert.notEqual(hashOf(fromCurrentOnly), hashOf(primary), 'the current state alone gives another snapshot (the test is meaningful)');
  });

  it('a rejected edit keeps the last good version in a late worker too (the base carries it)', async () => {
    await write('s1');
    await pushed(3);
    await cfg.write('a.yaml', [...backend('s1', [{ ip: '127.0.0.1', port: 9001 }]), ...backend('s2', []), { ...(ingress('w', [{ hosts: ['w.example.com'], paths: [{ splits: [{ service: 's1' }] }] }]) as object), spec: { rules: 'not a list' } }]);
    await pushed(4);
    assert.ok(primary.rejections.length > 0);
    assert.equal(primary.feed.current()!.ingresses.length, 1, 'the last good ingress is still served');
    const replay = relay.replay();
    assert.equal(replay.length, 1, 'a rejection needs no history: the base carries the kept object');
    assert.deepEqual(replay[0]!.kept?.map((k) => `${k.resource.kind} ${k.resource.metadata.name}`), ['Ingress w']);
    assert.equal(hashOf(live.pipeline), hashOf(primary));
    assert.equal(hashOf(await startedWorker(relay.replay())), hashOf(primary));
    const fromCurrentOnly = await startedWorker([{ type: 'sluice:relay-state', seq: 1, whole: last!.resources, rejections: last!.rejections, hash: '' }]);
    assert.equal(fromCurrentOnly.feed.current()!.ingresses.length, 0, 'the current state alone has no last good version');
  });

  it('once nothing depends on history, the log is cut back to one base', async () => {
    await write('s1');
    await pushed(5);
    assert.equal(relay.replay().length, 1);
    assert.equal(hashOf(await startedWorker(relay.replay())), hashOf(primary));
    assert.equal(hashOf(live.pipeline), hashOf(primary));
  });
});

describe('StateRelayLog with whole states', () => {
  const sourced = (name: string, gen = 1): Sourced =>
    ({ resource: { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', generation: gen }, spec: {} }, origin: { cluster: true } }) as unknown as Sourced;

  it('sends only the resources that changed, by object identity, and those removed', () => {
    const relay = new StateRelayLog();
    const a = sourced('a');
    const b = sourced('b');
    const first = relay.publish({ resources: [a, b], rejections: [] }, 'h1', true);
    assert.deepEqual([first.upserted?.length, first.removed?.length], [2, 0]);
    const b2 = sourced('b', 2);
    // New wrappers around the same objects (as Kubernetes mode makes them) are not changes.
    const second = relay.publish({ resources: [{ ...a }, b2], rejections: [] }, 'h2', true);
    assert.deepEqual(second.upserted, [b2]);
    assert.deepEqual(second.removed, []);
    const third = relay.publish({ resources: [b2], rejections: [] }, 'h3', true);
    assert.deepEqual(third.upserted, []);
    assert.deepEqual(third.removed?.map((s) => s.resource.metadata.name), ['a']);
    assert.deepEqual([third.seq, relay.replay()[0]!.whole?.length], [3, 1]);
  });

  it('keeps at most a bounded history while a version is held back', () => {
    const relay = new StateRelayLog();
    for (let i = 0; i < 1500; i++) relay.publish({ resources: [sourced('a', i)], rejections: [] }, '', false);
    assert.ok(relay.replay().length <= 1001, String(relay.replay().length));
    assert.equal(relay.replay()[0]!.whole?.length, 1);
  });

  it('sends a state that defines one object twice whole, for the store to choose', () => {
    const relay = new StateRelayLog();
    relay.publish({ resources: [sourced('a')], rejections: [] }, '', true);
    const m = relay.publish({ resources: [sourced('a'), sourced('a', 2)], rejections: [] }, '', true);
    assert.equal(m.whole?.length, 2);
    assert.equal(relay.publish({ resources: [sourced('a')], rejections: [] }, '', true).whole?.length, 1);
  });
});
