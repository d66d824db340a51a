// conformance/tests/gateway-secret-invalid-reference-grant.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { gatewayStatusMustHaveListeners, GatewayGroup } from '../support/status.ts';

export const GatewaySecretInvalidReferenceGrant: ConformanceTest = {
  shortName: 'GatewaySecretInvalidReferenceGrant',
  description: 'A Gateway in the gateway-conformance-infra namespace should fail to become ready if the Gateway has a certificateRef for a Secret in the gateway-conformance-web-backend namespace and a ReferenceGrant exists but does not grant permission to that specific Secret',
  features: ['Gateway', 'ReferenceGrant'],
  manifests: ['tests/gateway-secret-invalid-reference-grant.yaml'],
  async test(t, s) {
    const gwNN = {name: "gateway-secret-invalid-reference-grant", namespace: InfrastructureNamespace};

    await t.test("Gateway listener should have a false ResolvedRefs condition with reason RefNotPermitted", async (_t) => {
      const listeners = [{
        name: "https",
        supportedKinds: [{
          group: GatewayGroup,
          kind:  "HTTPRoute",
        }],
        conditions: [{
          type:   'ResolvedRefs',
          status: 'False',
          reason: 'RefNotPermitted',
        }],
        attachedRoutes: 0,
      }];

      await gatewayStatusMustHaveListeners(s, gwNN, listeners);
    });
  },
};
