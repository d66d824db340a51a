// Kubernetes mode reads the credentials Secret a Gloo AWS Upstream names (`spec.aws.secretRef`,
// an Opaque Secret), and only Secrets something names: each referenced non-TLS Secret is watched
// by name, so the API server never sends (and this process never keeps) every Secret.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_INGRESS_CLASS } from '../../src/api/types.ts';
import { KubeClient } from '../../src/k8s/client.ts';
import { KubernetesSource } from '../../src/k8s/source.ts';
import type { SourceState } from '../../src/sources/types.ts';
import { Store } from '../../src/store/store.ts';
import { defaultTranslateOptions } from '../../src/translate/options.ts';
import { translate } from '../../src/translate/translate.ts';
import { FakeApiServer, type ResourceType } from '../support/fake-apiserver.ts';
import { waitFor } from '../k8s/helpers.ts';
import { GLOO, GW } from './support.ts';

const GLOO_TYPES: ResourceType[] = [
  { group: 'gateway.solo.io', version: 'v1', plural: 'virtualservices', kind: 'VirtualService', namespaced: true, hasStatus: true },
  { group: 'gloo.solo.io', version: 'v1', plural: 'upstreams', kind: 'Upstream', namespaced: true, hasStatus: true },
];

const secrets = (s: SourceState | undefined): string[] =>
  (s?.resources ?? []).filter((r) => r.resource.kind === 'Secret').map((r) => `${r.resource.metadata.namespace}/${r.resource.metadata.name}`).sort();

const opaque = (namespace: string, name: string, data: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  type: 'Opaque',
  metadata: { name, namespace },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
});

const lambdaUpstream = (secretName: string) => ({
  apiVersion: GLOO,
  kind: 'Upstream',
  metadata: { name: 'lambda', namespace: 'app' },
  spec: { aws: { region: 'us-east-1', secretRef: { name: secretName, namespace: 'creds' }, lambdaFunctions: [{ logicalName: 'hello', lambdaFunctionName: 'hello' }] } },
});

describe('KubernetesSource reads the Secrets Gloo Upstreams name', () => {
  let api: FakeApiServer;
  let source: KubernetesSource;
  let last: SourceState | undefined;
  let first: SourceState | undefined;
  before(async () => {
    api = await FakeApiServer.start();
    api.installTypes(GLOO_TYPES);
    api.put(opaque('creds', 'aws', { aws_access_key_id: 'AKID', aws_secret_access_key: 'secret' }));
    api.put(opaque('creds', 'unrelated', { password: 'hunter2' }));
    api.put(opaque('creds', 'other', { aws_access_key_id: 'AKID2', aws_secret_access_key: 'secret2' }));
    api.put(lambdaUpstream('aws'));
    api.put({ apiVersion: GW, kind: 'VirtualService', metadata: { name: 'fn', namespace: 'app' }, spec: { virtualHost: { domains: ['fn.example.com'], routes: [{ matchers: [{ prefix: '/' }], routeAction: { single: { upstream: { name: 'lambda', namespace: 'app' } }, destinationSpec: { aws: { logicalName: 'hello' } } } }] } } });
    source = new KubernetesSource(KubeClient.load(api.kubeconfigPath), { ingressClass: DEFAULT_INGRESS_CLASS, minBackoffMs: 50, maxBackoffMs: 300, minDiscoveryMs: 50, maxDiscoveryMs: 200 });
    await source.start((s) => {
      first ??= s;
      last = s;
    });
  });
  after(async () => {
    await source.stop();
    await api.close();
  });

  it('pushes the Opaque Secret an AWS Upstream names, so its Lambda route binds its credentials', async () => {
    await waitFor(() => secrets(last).includes('creds/aws'), 10_000, 'the credentials Secret pushed');
    assert.deepEqual(secrets(last), ['creds/aws']);
    const statuses = translate(new Store().update(source.state()), defaultTranslateOptions).objectStatuses ?? [];
    const problems = JSON.stringify(statuses);
    assert.doesNotMatch(problems, /not found/);
  });

  it('carries the credentials Secret in the first push, so a Lambda route never starts without them', () => {
    assert.deepEqual(secrets(first), ['creds/aws']);
  });

  it('asks the API server only for TLS Secrets and Secrets by name, never every Secret', () => {
    const reads = api.requests.filter((r) => r.method === 'GET' && /\/secrets$/.test(r.path));
    assert.ok(reads.length > 0);
    for (const r of reads) assert.match(r.query.fieldSelector ?? '', /^(type=kubernetes\.io\/tls|metadata\.name=[a-z0-9.-]+)$/, `${r.path}?${new URLSearchParams(r.query)}`);
  });

  it('follows the Upstream to another Secret and forgets the one it no longer names', async () => {
    api.put(lambdaUpstream('other'));
    await waitFor(() => secrets(last).join() === 'creds/other', 10_000, 'the new Secret pushed, the old one gone');
  });

  it('sees a change to a referenced Secret', async () => {
    api.put(opaque('creds', 'other', { aws_access_key_id: 'AKID3', aws_secret_access_key: 'secret3' }));
    const key = (): string | undefined => {
      const s = (last?.resources ?? []).find((r) => r.resource.kind === 'Secret');
      return (s?.resource as { data?: Record<string, string> } | undefined)?.data?.aws_access_key_id;
    };
    await waitFor(() => key() === Buffer.from('AKID3').toString('base64'), 10_000, 'the changed Secret pushed');
  });
});
