// conformance/tests/httproute-observed-generation-bump.go
import assert from 'node:assert/strict';
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { httpRouteMustHaveCondition, httpRouteMustHaveResolvedRefsConditionsTrue, namespacesMustBeReady, routeMustHaveLatestConditions, type ExpectedCondition } from '../support/status.ts';

export const HTTPRouteObservedGenerationBump: ConformanceTest = {
  shortName: 'HTTPRouteObservedGenerationBump',
  description: "A HTTPRoute in the gateway-conformance-infra namespace should update the observedGeneration in all of it's Status.Conditions after an update to the spec",
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-observed-generation-bump.yaml'],
  async test(t, s) {
    const routeNN = {name: "observed-generation-bump", namespace: InfrastructureNamespace};
    const gwNN = {name: "same-namespace", namespace: InfrastructureNamespace};

    await t.test("observedGeneration should increment", async (_t) => {
      const namespaces = [InfrastructureNamespace];
      await namespacesMustBeReady(s, namespaces);

      const original = s.applied('HTTPRoute', routeNN.namespace, routeNN.name);
      const originalGeneration = s.knownGeneration('HTTPRoute', routeNN.namespace, routeNN.name);

      // Sanity check
      await routeMustHaveLatestConditions(s, 'HTTPRoute', routeNN);

      const mutate = structuredClone(original);
      (mutate.spec as { rules: Array<{ backendRefs: Array<{ name: string }> }> }).rules[0]!.backendRefs[0]!.name = 'infra-backend-v2';
      await s.update(mutate);

      await httpRouteMustHaveCondition(s, routeNN, gwNN, <ExpectedCondition>{
        type:   'Accepted',
        status: 'True',
        reason: "", // any reason;
      });
      await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

      // Sanity check
      await routeMustHaveLatestConditions(s, 'HTTPRoute', routeNN);

      const updatedGeneration = s.knownGeneration('HTTPRoute', routeNN.namespace, routeNN.name);
      assert.notEqual(originalGeneration, updatedGeneration, 'generation should change after an update');
    });
  },
};
