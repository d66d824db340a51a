// conformance/tests/gateway-invalid-route-kind.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { gatewayStatusMustHaveListeners, GatewayGroup } from '../support/status.ts';

export const GatewayInvalidRouteKind: ConformanceTest = {
  shortName: 'GatewayInvalidRouteKind',
  description: 'A Gateway in the gateway-conformance-infra namespace should fail to become ready an invalid Route kind is specified.',
  features: ['Gateway'],
  manifests: ['tests/gateway-invalid-route-kind.yaml'],
  async test(t, s) {
    await t.test("Gateway listener should have a false ResolvedRefs condition with reason InvalidRouteKinds and no supportedKinds", async (_t) => {
      const gwNN = {name: "gateway-only-invalid-route-kind", namespace: InfrastructureNamespace};
      const listeners = [{
        name:           "http",
        supportedKinds: [],
        conditions: [{
          type:   'ResolvedRefs',
          status: 'False',
          reason: 'InvalidRouteKinds',
        }],
        attachedRoutes: 0,
      }];

      await gatewayStatusMustHaveListeners(s, gwNN, listeners);
    });

    await t.test("Gateway listener should have a false ResolvedRefs condition with reason InvalidRouteKinds and HTTPRoute must be put in the supportedKinds", async (_t) => {
      const gwNN = {name: "gateway-supported-and-invalid-route-kind", namespace: InfrastructureNamespace};
      const listeners = [{
        name: "http",
        supportedKinds: [{
          group: GatewayGroup,
          kind:  "HTTPRoute",
        }],
        conditions: [{
          type:   'ResolvedRefs',
          status: 'False',
          reason: 'InvalidRouteKinds',
        }],
        attachedRoutes: 0,
      }];

      await gatewayStatusMustHaveListeners(s, gwNN, listeners);
    });
  },
};
