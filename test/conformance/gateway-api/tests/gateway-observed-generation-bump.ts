// conformance/tests/gateway-observed-generation-bump.go
import assert from 'node:assert/strict';
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { gatewayMustHaveLatestConditions, namespacesMustBeReady } from '../support/status.ts';

export const GatewayObservedGenerationBump: ConformanceTest = {
  shortName: 'GatewayObservedGenerationBump',
  description: 'A Gateway in the gateway-conformance-infra namespace should update the observedGeneration in all of its Status.Conditions after an update to the spec',
  features: ['Gateway'],
  manifests: ['tests/gateway-observed-generation-bump.yaml'],
  async test(t, s) {
    const gwNN = { name: 'gateway-observed-generation-bump', namespace: InfrastructureNamespace };

    await t.test('observedGeneration should increment', async () => {
      const namespaces = [InfrastructureNamespace];
      await namespacesMustBeReady(s, namespaces);

      await gatewayMustHaveLatestConditions(s, gwNN);

      const original = s.applied('Gateway', gwNN.namespace, gwNN.name);
      const originalGeneration = s.knownGeneration('Gateway', gwNN.namespace, gwNN.name);

      const mutate = structuredClone(original);
      const spec = mutate.spec as { listeners: object[] };
      spec.listeners = [...spec.listeners, { name: 'alternate', hostname: 'foo.com', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }];
      await s.update(mutate);

      await namespacesMustBeReady(s, namespaces);

      await gatewayMustHaveLatestConditions(s, gwNN);

      const updatedGeneration = s.knownGeneration('Gateway', gwNN.namespace, gwNN.name);
      assert.notEqual(originalGeneration, updatedGeneration, 'generation should change after an update');
    });
  },
};
