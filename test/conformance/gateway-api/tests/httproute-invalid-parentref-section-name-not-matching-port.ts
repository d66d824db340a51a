// conformance/tests/httproute-invalid-parentref-section-name-not-matching-port.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { httpRouteMustHaveCondition, httpRouteMustHaveNoAcceptedParents, gatewayMustHaveZeroRoutes, type ExpectedCondition } from '../support/status.ts';

export const HTTPRouteInvalidParentRefSectionNameNotMatchingPort: ConformanceTest = {
  shortName: 'HTTPRouteInvalidParentRefSectionNameNotMatchingPort',
  description: 'A single HTTPRoute in the gateway-conformance-infra namespace should set the Accepted status to False with reason NoMatchingParent when attempting to bind to a Gateway that SectionName does not match Port value.',
  features: ['Gateway', 'HTTPRoute', 'HTTPRouteParentRefPort'],
  manifests: ['tests/httproute-invalid-parentref-section-name-not-matching-port.yaml'],
  async test(t, s) {
    const routeNN = {name: "httproute-listener-section-name-not-matching-port", namespace: InfrastructureNamespace};
    const gwNN = {name: "gateway-with-one-not-matching-port-and-section-name-route", namespace: InfrastructureNamespace};

    // The Route must have an Accepted Condition with a NoMatchingParent Reason.
    await t.test("HTTPRoute with sectionName does not match Port in ParentRef has an Accepted Condition with status False and Reason NoMatchingParent", async (_t) => {
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
