// conformance/tests/httproute-simple-same-namespace.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { makeRequestAndExpectEventuallyConsistentResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';

export const HTTPRouteSimpleSameNamespace: ConformanceTest = {
  shortName: 'HTTPRouteSimpleSameNamespace',
  description: 'A single HTTPRoute in the gateway-conformance-infra namespace attaches to a Gateway in the same namespace',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-simple-same-namespace.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = { name: 'gateway-conformance-infra-test', namespace: ns };
    const gwNN = { name: 'same-namespace', namespace: ns };
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    await t.test('Simple HTTP request should reach infra-backend', () =>
      makeRequestAndExpectEventuallyConsistentResponse(s, gwAddr, {
        request: { path: '/' },
        response: { statusCode: 200 },
        backend: 'infra-backend-v1',
        namespace: ns,
      }),
    );
  },
};
