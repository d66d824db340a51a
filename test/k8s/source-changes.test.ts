// KubernetesSource says what changed between pushes (SourceState.changes), so that at 10,000 ingresses
// an edit costs the store and the translator one resource rather than a comparison of every object:
// unchanged resources are handed over as the same objects, and the changes, applied in order to the
// first push, give every later push's whole state.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApiServer, type KObject } from '../support/fake-apiserver.ts';
import { KubeClient } from '../../src/k8s/client.ts';
import { KubernetesSource } from '../../src/k8s/source.ts';
import type { SourceState } from '../../src/sources/types.ts';
import { DEFAULT_INGRESS_CLASS, keyOf, storeKind, type Sourced } from '../../src/api/types.ts';
import { ingress, service, slice, waitFor } from './helpers.ts';

const INGRESS = 'networking.internal.knative.dev/v1alpha1';
const keyOfSourced = (s: Sourced): string => `${storeKind(s.resource)} ${keyOf(s.resource.metadata)}`;
const names = (resources: Iterable<Sourced>): string[] => [...resources].map(keyOfSourced).sort();
const tls = (name: string): KObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'app' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'Y2VydA==', 'tls.key': 'a2V5' } });
const withTls = (o: KObject, secretName: string): KObject => ({ ...o, spec: { ...(o.spec as object), tls: [{ hosts: ['x.example'], secretName, secretNamespace: 'app' }] } });

describe('KubernetesSource changes between pushes', () => {
  let api: FakeApiServer;
  let source: KubernetesSource;
  const pushes: SourceState[] = [];
  const last = (): SourceState => pushes[pushes.length - 1]!;
  before(async () => {
    api = await FakeApiServer.start();
    for (let i = 0; i < 20; i++) {
      api.put(ingress('app', `i${i}`, DEFAULT_INGRESS_CLASS, `i${i}.example`, `svc${i}`));
      api.put(service('app', `svc${i}`, 80));
      api.put(slice('app', `svc${i}-1`, `svc${i}`, [`10.0.0.${i + 1}`], 8080));
    }
    api.put(service('app', 'spare', 80));
    api.put(slice('app', 'spare-1', 'spare', ['10.0.1.1'], 8080));
    api.put(tls('cert'));
    source = new KubernetesSource(KubeClient.load(api.kubeconfigPath), { ingressClass: DEFAULT_INGRESS_CLASS, coalesceMs: 5 });
    await source.start((s) => pushes.push(s));
  });
  after(async () => {
    await source.stop();
    await api.close();
  });

  /** Makes a change and waits for the push it causes. */
  async function change(what: string, fn: () => void): Promise<SourceState> {
    const n = pushes.length;
    fn();
    await waitFor(() => pushes.length > n, 5000, what);
    return last();
  }

  it('hands the resources an edit did not touch over as the same objects', async () => {
    const before = new Map(last().resources.map((s) => [keyOfSourced(s), s] as const));
    const after = await change('edit pushed', () => api.put(ingress('app', 'i3', DEFAULT_INGRESS_CLASS, 'edited.example', 'svc3')));
    const replaced = after.resources.filter((s) => before.get(keyOfSourced(s)) !== s).map(keyOfSourced);
    assert.deepEqual(replaced, ['Ingress app/i3']);
  });

  it('says that an edit of one ingress among many changed that ingress alone', async () => {
    const previous = last();
    const next = await change('edit pushed', () => api.put(ingress('app', 'i5', DEFAULT_INGRESS_CLASS, 'edited.example', 'svc5')));
    assert.ok(next.changes, 'the push says what changed');
    assert.equal(next.changes.since?.deref(), previous);
    assert.deepEqual(names(next.changes.upserted), ['Ingress app/i5']);
    assert.deepEqual(next.changes.removed, []);
  });

  it('gives, applied in order, the whole state of every push: backends, slices and secrets follow the ingresses naming them', async () => {
    const applied = new Map(last().resources.map((s) => [keyOfSourced(s), s] as const));
    const check = (st: SourceState, what: string): void => {
      assert.ok(st.changes, `${what}: the push says what changed`);
      for (const s of st.changes.removed) applied.delete(keyOfSourced(s));
      for (const s of st.changes.upserted) applied.set(keyOfSourced(s), s);
      assert.deepEqual(names(applied.values()), names(st.resources), `${what}: changes give the pushed state`);
      assert.deepEqual(names(st.resources), names(source.state().resources), `${what}: the pushed state is the whole state`);
      assert.deepEqual(st.rejections.map((r) => `${r.kind} ${r.namespace}/${r.name}`).sort(), source.state().rejections.map((r) => `${r.kind} ${r.namespace}/${r.name}`).sort(), `${what}: rejections`);
    };
    check(await change('new ingress on the spare service', () => api.put(ingress('app', 'new', DEFAULT_INGRESS_CLASS, 'new.example', 'spare'))), 'new ingress');
    assert.ok(names(last().resources).includes('EndpointSlice app/spare-1'));
    check(await change('slice edit', () => api.put(slice('app', 'spare-1', 'spare', ['10.0.1.2'], 8080))), 'slice edit');
    check(await change('ingress moved to another backend', () => api.put(ingress('app', 'i1', DEFAULT_INGRESS_CLASS, 'i1.example', 'spare'))), 'backend moved');
    assert.ok(!names(last().resources).includes('Service app/svc1'), 'a Service no ingress names is dropped');
    check(await change('second ingress leaves the spare service', () => api.remove(INGRESS, 'Ingress', 'app', 'new')), 'one of two referrers gone');
    assert.ok(names(last().resources).includes('Service app/spare'), 'a Service another ingress still names stays');
    check(await change('ingress takes a TLS secret', () => api.put(withTls(ingress('app', 'i2', DEFAULT_INGRESS_CLASS, 'x.example', 'svc2'), 'cert'))), 'tls');
    assert.ok(names(last().resources).includes('Secret app/cert'));
    check(await change('class changed away', () => api.put(ingress('app', 'i2', 'other.class', 'x.example', 'svc2'))), 'class changed');
    assert.ok(!names(last().resources).includes('Secret app/cert'));
    const bad = ingress('app', 'i4', DEFAULT_INGRESS_CLASS, 'i4.example', 'svc4');
    (bad.spec as { rules: Array<{ http: { paths: Array<{ path?: string }> } }> }).rules[0]!.http.paths[0]!.path = 'no-slash';
    check(await change('bad edit', () => api.put(bad)), 'rejected');
    assert.equal(last().rejections.length, 1);
    check(await change('bad edit fixed', () => api.put(ingress('app', 'i4', DEFAULT_INGRESS_CLASS, 'i4.example', 'svc4'))), 'fixed');
    assert.equal(last().rejections.length, 0);
    check(await change('slice of an unnamed Service', () => api.put(slice('app', 'svc1-2', 'svc1', ['10.0.2.1'], 8080))), 'unnamed slice');
    check(await change('service deleted', () => api.remove('v1', 'Service', 'app', 'svc6')), 'service deleted');
    check(await change('a namespace appears', () => api.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other', labels: { team: 'x' } } })), 'another kind');
  });
});
