// conformance/tests/gatewayclass-observed-generation-bump.go
import assert from 'node:assert/strict';
import type { ConformanceTest } from '../support/conformance.ts';
import { gatewayClassMustHaveLatestConditions, gwcMustHaveAcceptedConditionAny } from '../support/status.ts';

export const GatewayClassObservedGenerationBump: ConformanceTest = {
  shortName: 'GatewayClassObservedGenerationBump',
  description: 'A GatewayClass should update the observedGeneration in all of its Status.Conditions after an update to the spec',
  features: ['Gateway'],
  manifests: ['tests/gatewayclass-observed-generation-bump.yaml'],
  async test(t, s) {
    const gwcNN = { name: 'gatewayclass-observed-generation-bump' };

    await t.test('observedGeneration should increment', async () => {
      await gwcMustHaveAcceptedConditionAny(s, gwcNN.name);

      const original = s.applied('GatewayClass', '', gwcNN.name);
      const originalGeneration = s.knownGeneration('GatewayClass', '', gwcNN.name);

      // Sanity check
      await gatewayClassMustHaveLatestConditions(s, gwcNN.name);

      const mutate = structuredClone(original);
      mutate.spec = { ...mutate.spec, description: 'new' };
      await s.update(mutate);

      // Ensure the generation and observedGeneration sync up
      await gwcMustHaveAcceptedConditionAny(s, gwcNN.name);

      // Sanity check
      await gatewayClassMustHaveLatestConditions(s, gwcNN.name);

      const updatedGeneration = s.knownGeneration('GatewayClass', '', gwcNN.name);
      assert.notEqual(originalGeneration, updatedGeneration, 'generation should change after an update');
    });
  },
};
