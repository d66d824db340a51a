// conformance/tests/gateway-modify-listeners.go
import assert from 'node:assert/strict';
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { type ExpectedListener, GatewayGroup, gatewayMustHaveLatestConditions, gatewayStatusMustHaveListeners, namespacesMustBeReady } from '../support/status.ts';

// Accepted and ResolvedRefs True, any reason; one HTTPRoute attached.
const readyListener = (name: string): ExpectedListener => ({
  name,
  supportedKinds: [{ group: GatewayGroup, kind: 'HTTPRoute' }],
  conditions: [
    { type: 'Accepted', status: 'True', reason: '' },
    { type: 'ResolvedRefs', status: 'True', reason: '' },
  ],
  attachedRoutes: 1,
});

interface ListenerSpec {
  name: string;
  [k: string]: unknown;
}

export const GatewayModifyListeners: ConformanceTest = {
  shortName: 'GatewayModifyListeners',
  description: 'A Gateway in the gateway-conformance-infra namespace should handle adding and removing listeners.',
  features: ['Gateway'],
  manifests: ['tests/gateway-modify-listeners.yaml'],
  async test(t, s) {
    await t.test('should be able to add a listener that then becomes available for routing traffic', async () => {
      const gwNN = { name: 'gateway-add-listener', namespace: InfrastructureNamespace };
      const namespaces = [InfrastructureNamespace];
      await namespacesMustBeReady(s, namespaces);

      // verify that the implementation is tracking the most recent resource changes
      await gatewayMustHaveLatestConditions(s, gwNN);

      const original = s.applied('Gateway', gwNN.namespace, gwNN.name);
      const mutate = structuredClone(original);

      // add a new listener to the Gateway spec
      const spec = mutate.spec as { listeners: ListenerSpec[] };
      spec.listeners = [...spec.listeners, { name: 'http', port: 80, protocol: 'HTTP', hostname: 'data.test.com', allowedRoutes: { namespaces: { from: 'All' } } }];
      const updated = await s.update(mutate);

      // Ensure the generation and observedGeneration sync up
      await namespacesMustBeReady(s, namespaces);

      await gatewayStatusMustHaveListeners(s, gwNN, [readyListener('https'), readyListener('http')]);

      // verify that the implementation continues to keep up to date with the resource changes we've been making
      await gatewayMustHaveLatestConditions(s, gwNN);

      assert.notEqual(original.metadata.generation, updated.metadata.generation, 'generation should change after an update');
    });

    await t.test('should be able to remove listeners, which would then stop routing the relevant traffic', async () => {
      const gwNN = { name: 'gateway-remove-listener', namespace: InfrastructureNamespace };
      const namespaces = [InfrastructureNamespace];
      await namespacesMustBeReady(s, namespaces);

      // verify that the implementation is tracking the most recent resource changes
      await gatewayMustHaveLatestConditions(s, gwNN);

      const original = s.applied('Gateway', gwNN.namespace, gwNN.name);
      const mutate = structuredClone(original);
      const spec = mutate.spec as { listeners: ListenerSpec[] };
      assert.equal(spec.listeners.length, 2, 'the gateway must have 2 listeners');

      // remove the "https" Gateway listener, leaving only the "http" listener
      spec.listeners = spec.listeners.filter((l) => l.name === 'http');
      const updated = await s.update(mutate);

      // Ensure the generation and observedGeneration sync up
      await namespacesMustBeReady(s, namespaces);

      await gatewayStatusMustHaveListeners(s, gwNN, [readyListener('http')]);

      // verify that the implementation continues to keep up to date with the resource changes we've been making
      await gatewayMustHaveLatestConditions(s, gwNN);

      assert.notEqual(original.metadata.generation, updated.metadata.generation, 'generation should change after an update');
    });
  },
};
