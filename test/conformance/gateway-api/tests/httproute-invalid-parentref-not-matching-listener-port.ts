// conformance/tests/httproute-invalid-parentref-not-matching-listener-port.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { httpRouteMustHaveCondition, httpRouteMustHaveNoAcceptedParents, httpRouteMustHaveResolvedRefsConditionsTrue, gatewayMustHaveZeroRoutes, type ExpectedCondition } from '../support/status.ts';

export const HTTPRouteInvalidParentRefNotMatchingListenerPort: ConformanceTest = {
  shortName: 'HTTPRouteInvalidParentRefNotMatchingListenerPort',
  description: 'A single HTTPRoute in the gateway-conformance-infra namespace should set the Accepted status to False with reason NoMatchingParent when attempting to bind to a Gateway that does not have a matching ListenerPort.',
  features: ['Gateway', 'HTTPRoute', 'HTTPRouteDestinationPortMatching'],
  manifests: ['tests/httproute-invalid-parentref-not-matching-listener-port.yaml'],
  async test(t, s) {
    const routeNN = {name: "httproute-listener-not-matching-route-port", namespace: InfrastructureNamespace};
    const gwNN = {name: "same-namespace", namespace: InfrastructureNamespace};
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    // The Route must have an Accepted Condition with a NoMatchingParent Reason.
    await t.test("HTTPRoute with no matching port in ParentRef has an Accepted Condition with status False and Reason NoMatchingParent", async (_t) => {
      const acceptedCond = <ExpectedCondition>{
        type:   'Accepted',
        status: 'False',
        reason: 'NoMatchingParent',
      }

      await httpRouteMustHaveCondition(s, routeNN, gwNN, acceptedCond);
    });

    await t.test("Route should not have Parents accepted in status", async (_t) => {
      await httpRouteMustHaveNoAcceptedParents(s, routeNN);
    });

    await t.test("Gateway should have 0 Routes attached", async (_t) => {
      await gatewayMustHaveZeroRoutes(s, gwNN);
    });
  },
};
