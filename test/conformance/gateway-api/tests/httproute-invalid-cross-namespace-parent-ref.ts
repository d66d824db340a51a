// conformance/tests/httproute-invalid-cross-namespace-parent-ref.go
import { InfrastructureNamespace, WebBackendNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { httpRouteMustHaveCondition, httpRouteMustHaveNoAcceptedParents, httpRouteMustHaveResolvedRefsConditionsTrue, gatewayMustHaveZeroRoutes, type ExpectedCondition } from '../support/status.ts';

export const HTTPRouteInvalidCrossNamespaceParentRef: ConformanceTest = {
  shortName: 'HTTPRouteInvalidCrossNamespaceParentRef',
  description: 'A single HTTPRoute in the gateway-conformance-web-backend namespace should fail to attach to a Gateway in another namespace that it is not allowed to',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-invalid-cross-namespace-parent-ref.yaml'],
  async test(t, s) {
    const gwNN = {name: "same-namespace", namespace: InfrastructureNamespace};
    const routeNN = {name: "invalid-cross-namespace-parent-ref", namespace: WebBackendNamespace};
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    // When running conformance tests, implementations are expected to have visibility across all namespaces, and
    // must be setting this condition on routes that are not allowed. However, outside of conformance testing,
    // it's also valid for implementations to run in modes where they only have access to a limited subset of
    // namespaces, in which case they are not obligated to populate this condition on routes they cannot access.
    await t.test("HTTPRoute should have an Accepted: false condition with reason NotAllowedByListeners", async (_t) => {
      const acceptedCond = <ExpectedCondition>{
        type:   'Accepted',
        status: 'False',
        reason: 'NotAllowedByListeners',
      }

      await httpRouteMustHaveCondition(s, routeNN, gwNN, acceptedCond);
    });

    await t.test("Route should not have Parents set in status", async (_t) => {
      await httpRouteMustHaveNoAcceptedParents(s, routeNN);
    });

    await t.test("Gateway should have 0 Routes attached", async (_t) => {
      await gatewayMustHaveZeroRoutes(s, gwNN);
    });
  },
};
