// Which Upstreams function discovery looks at (Gloo FDS's default, opt-in mode): those labelled
// `discovery.solo.io/function_discovery: enabled`, and every Upstream of a namespace so labelled
// unless the Upstream itself says `disabled`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Sourced } from '../../src/api/types.ts';
import { DISCOVERY_LABEL, discoveryTargets } from '../../src/functions/discovery/overlay.ts';

const origin = { file: 'x.yaml' };
function upstream(name: string, namespace: string, label?: string): Sourced {
  return {
    origin,
    resource: {
      apiVersion: 'gloo.solo.io/v1',
      kind: 'Upstream',
      metadata: { name, namespace, ...(label !== undefined && { labels: { [DISCOVERY_LABEL]: label } }) },
      spec: { kube: { serviceName: name, serviceNamespace: namespace, servicePort: 80 } },
    },
  } as unknown as Sourced;
}
function namespace(name: string, label?: string): Sourced {
  return { origin, resource: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(label !== undefined && { labels: { [DISCOVERY_LABEL]: label } }) } } } as unknown as Sourced;
}
const keys = (rs: Sourced[]) => discoveryTargets(rs).map((t) => t.key);

describe('function discovery targets', () => {
  it('takes an Upstream labelled enabled, and no other, when no namespace is labelled', () => {
    assert.deepEqual(keys([upstream('a', 'shop', 'enabled'), upstream('b', 'shop'), upstream('c', 'shop', 'disabled')]), ['shop/a']);
  });

  it('takes every Upstream of a namespace labelled enabled, except those labelled disabled', () => {
    const rs = [namespace('shop', 'enabled'), namespace('other'), upstream('a', 'shop'), upstream('b', 'shop', 'disabled'), upstream('c', 'other'), upstream('d', 'other', 'enabled')];
    assert.deepEqual(keys(rs).sort(), ['other/d', 'shop/a']);
  });

  it('ignores a namespace label other than enabled', () => {
    assert.deepEqual(keys([namespace('shop', 'yes'), upstream('a', 'shop')]), []);
  });
});

describe('DiscoveringSource', () => {
  it('starts discovering when only a Namespace gains the label (the change names no Upstream)', async () => {
    const { DiscoveringSource } = await import('../../src/functions/discovery/source.ts');
    type State = import('../../src/sources/types.ts').SourceState;
    let push: (s: State) => void = () => {};
    const inner = { start: async (p: (s: State) => void) => void (push = p), stop: async () => {} };
    const d = new DiscoveringSource(inner, async () => ({ ok: false, error: 'not reached' }));
    await d.start(() => {});
    const u = upstream('a', 'shop');
    push({ resources: [namespace('shop'), u], rejections: [] });
    assert.deepEqual(d.reports(), []);
    const labelled = namespace('shop', 'enabled');
    push({ resources: [labelled, u], rejections: [], changes: { since: undefined, upserted: [labelled], removed: [] } } as unknown as State);
    assert.deepEqual(d.reports().map((r) => r.upstream), ['shop/a']);
    await d.stop();
  });
});
