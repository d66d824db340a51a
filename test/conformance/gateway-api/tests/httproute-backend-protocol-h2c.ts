// conformance/tests/httproute-backend-protocol-h2c.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { makeRequestAndExpectEventuallyConsistentResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted } from '../support/status.ts';

export const HTTPRouteBackendProtocolH2C: ConformanceTest = {
  shortName: 'HTTPRouteBackendProtocolH2C',
  description: 'A HTTPRoute with a BackendRef that has an appProtocol kubernetes.io/h2c should be functional',
  features: ['Gateway', 'HTTPRoute', 'HTTPRouteBackendProtocolH2C'],
  manifests: ['tests/httproute-backend-protocol-h2c.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = {name: "backend-protocol-h2c", namespace: ns};
    const gwNN = {name: "same-namespace", namespace: ns};
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);

    // We are not testing the h2c HTTP upgrade mechanism as it is deprecated
    // see: https://datatracker.ietf.org/doc/html/rfc9113#versioning

    await t.test("http2 prior knowledge request should reach backend", async (_t) => {
      await makeRequestAndExpectEventuallyConsistentResponse(s, gwAddr, {
        request: {
          path:     "/",
          protocol: 'H2C_PRIOR_KNOWLEDGE',
        },
        response:  {statusCode: 200},
        backend:   'infra-backend-v1',
        namespace: InfrastructureNamespace,
      });
    });
  },
};
