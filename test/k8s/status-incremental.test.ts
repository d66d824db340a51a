// The status controller's work grows with what changed, not with how many ingresses there are: a
// probe answer, or the watch bringing back one ingress's status write, looks at that ingress alone.
// (At 2,000 ingresses every probe answer and status event used to rescan all of them, allocating
// about 1.9 MB per ingress written: RSS after the first status writes doubled.) An edit of one ingress
// (a new translation, a push from the source) looks at that one too: at 10,000 ingresses, two rescans of
// every ingress per edit held its status write back by a few hundred milliseconds.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeApiServer } from '../support/fake-apiserver.ts';
import { startStatusApi, startStatusController } from '../support/status-rig.ts';
import type { KubernetesSource } from '../../src/k8s/source.ts';
import type { StatusController } from '../../src/k8s/status-controller.ts';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import type { IngressStatusReport } from '../../src/snapshot/types.ts';
import { waitFor } from './helpers.ts';
import { publishStatuses, readyReport, statusReady } from './status-helpers.ts';

const N = 1000;
const name = (i: number): string => `web-${i}`;

const publish = (feed: SettableFeed, statuses: IngressStatusReport[], version = 1): void => publishStatuses(feed, statuses, version);

const report = (i: number): IngressStatusReport => readyReport(name(i), `hash-${i}`, 1);

describe('status controller work', () => {
  let api: FakeApiServer;
  let source: KubernetesSource;
  let controller: StatusController | undefined;
  let lookups = 0;
  let answered = 0;
  let published: IngressStatusReport[] = [];
  const feed = new SettableFeed();
  before(async () => {
    api = await startStatusApi(Array.from({ length: N }, (_, i) => name(i)));
  });
  after(async () => {
    await controller?.stop();
    await source?.stop();
    await api.close();
  });

  const ready = (i: number): boolean => statusReady(api, name(i));

  it('writing N new ingresses Ready looks each one up a few times, not once per probe answer or status event', async () => {
    // Probes answer a few at a time, as a real replica's do.
    ({ source, controller } = await startStatusController(api, {
      feed,
      probe: async () => {
        await new Promise((r) => setTimeout(r, 2));
        answered++;
        return true;
      },
    }));
    // The controller looks ingresses up through the source as it works, so counting starts here.
    const lookup = source.ingress.bind(source);
    source.ingress = (ns, n) => {
      lookups++;
      return lookup(ns, n);
    };
    api.latencyMs = 2;
    controller.start();
    published = Array.from({ length: N }, (_, i) => report(i));
    publish(feed, published);
    await waitFor(() => Array.from({ length: N }, (_, i) => i).every(ready), 60_000, `all ${N} ingresses Ready`);
    assert.ok(answered >= N, `every ingress probed (${answered})`);
    // The fake applies a write before its answer reaches the writer: let the counter catch up first.
    await waitFor(() => controller!.writes >= N, 5000, 'every write answered');
    assert.equal(controller.writes, N, 'one write per ingress');
    assert.ok(lookups <= 8 * N, `${lookups} lookups of live ingresses for ${N} ingresses (at most ${8 * N})`);
    // The watch brings every write back before the next test counts.
    await waitFor(() => Array.from({ length: N }, (_, i) => lookup('app', name(i))).every((o) => o?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')), 10_000, 'every write back in the cache');
    // What a write left is kept only until the watch brings it back (10,000 statuses otherwise stay twice).
    await waitFor(() => controller!.rememberedWrites === 0, 5000, `nothing remembered of writes the watch brought back (${controller!.rememberedWrites} still)`);
  });

  it('an edit of one ingress among N looks up, probes and writes that ingress alone', async () => {
    const edited = 7;
    const live = api.get('networking.internal.knative.dev/v1alpha1', 'Ingress', 'app', name(edited))!;
    const [lookupsBefore, answeredBefore, writesBefore] = [lookups, answered, controller!.writes];
    // As the pipeline does: the source pushes the edit, the translation reports a new hash for it alone.
    api.put({ ...live, spec: { ...(live.spec as object), httpOption: 'Redirected' } });
    published = published.map((r, i) => (i === edited ? readyReport(name(edited), 'hash-edited', 2) : r));
    publish(feed, published, 2);
    const observed = (): unknown => (api.get('networking.internal.knative.dev/v1alpha1', 'Ingress', 'app', name(edited))!.status as { observedGeneration?: number } | undefined)?.observedGeneration;
    await waitFor(() => observed() === 2 && ready(edited), 10_000, 'the edited ingress Ready for its new generation');
    await waitFor(() => controller!.writes > writesBefore, 5000, 'its write answered');
    assert.equal(controller!.writes - writesBefore, 1, 'one write');
    assert.ok(answered - answeredBefore <= 2, `${answered - answeredBefore} probes (one per replica)`);
    assert.ok(lookups - lookupsBefore <= 20, `${lookups - lookupsBefore} lookups of live ingresses for one edit among ${N} (at most 20)`);
  });
});
