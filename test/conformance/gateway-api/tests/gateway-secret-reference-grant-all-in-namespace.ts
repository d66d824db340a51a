// conformance/tests/gateway-secret-reference-grant-all-in-namespace.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { gatewayStatusMustHaveListeners, GatewayGroup } from '../support/status.ts';

export const GatewaySecretReferenceGrantAllInNamespace: ConformanceTest = {
  shortName: 'GatewaySecretReferenceGrantAllInNamespace',
  description: 'A Gateway in the gateway-conformance-infra namespace should become programmed if the Gateway has a certificateRef for a Secret in the gateway-conformance-web-backend namespace and a ReferenceGrant granting permission to all Secrets in the namespace exists',
  features: ['Gateway', 'ReferenceGrant'],
  manifests: ['tests/gateway-secret-reference-grant-all-in-namespace.yaml'],
  async test(t, s) {
    const gwNN = {name: "gateway-secret-reference-grant-all-in-namespace", namespace: InfrastructureNamespace};

    await t.test("Gateway listener should have a true ResolvedRefs condition and a true Programmed condition", async (_t) => {
      const listeners = [{
        name: "https",
        supportedKinds: [{
          group: GatewayGroup,
          kind:  "HTTPRoute",
        }],
        conditions: [
          {
            type:   'Programmed',
            status: 'True',
            reason: 'Programmed',
          },
          {
            type:   'ResolvedRefs',
            status: 'True',
            reason: "", // any reason;
          },
        ],
        attachedRoutes: 0,
      }];

      await gatewayStatusMustHaveListeners(s, gwNN, listeners);
    });
  },
};
