// conformance/tests/httproute-disallowed-kind.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { httpRouteMustHaveCondition, httpRouteMustHaveNoAcceptedParents, httpRouteMustHaveResolvedRefsConditionsTrue, gatewayMustHaveZeroRoutes, namespacesMustBeReady, type ExpectedCondition } from '../support/status.ts';

export const HTTPRouteDisallowedKind: ConformanceTest = {
  shortName: 'HTTPRouteDisallowedKind',
  description: 'A single HTTPRoute in the gateway-conformance-infra namespace should fail to attach to a Gateway with no listeners that allow the HTTPRoute kind',
  features: ['Gateway', 'HTTPRoute', 'TLSRoute'],
  manifests: ['tests/httproute-disallowed-kind.yaml'],
  async test(t, s) {
    // This test creates an additional Gateway in the gateway-conformance-infra
    // namespace so we have to wait for it to be ready.
    await namespacesMustBeReady(s, [InfrastructureNamespace]);

    const routeNN = {name: "disallowed-kind", namespace: InfrastructureNamespace};
    const gwNN = {name: "tlsroutes-only", namespace: InfrastructureNamespace};
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    await t.test("Route should not have been accepted with reason NotAllowedByListeners", async (_t) => {
      await httpRouteMustHaveCondition(s, routeNN, gwNN, <ExpectedCondition>{
        type:   'Accepted',
        status: 'False',
        reason: 'NotAllowedByListeners',
      });
    });
    await t.test("Route should not have Parents set in status", async (_t) => {
      await httpRouteMustHaveNoAcceptedParents(s, routeNN);
    });
    await t.test("Gateway should have 0 Routes attached", async (_t) => {
      await gatewayMustHaveZeroRoutes(s, gwNN);
    });
  },
};
