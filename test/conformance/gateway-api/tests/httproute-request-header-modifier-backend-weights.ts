// conformance/tests/httproute-request-header-modifier-backend-weights.go
import assert from 'node:assert/strict';
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { captureRoundTrip, type ExpectedResponse, makeRequest, makeRequestAndExpectEventuallyConsistentResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';

export const HTTPRouteRequestHeaderModifierBackendWeights: ConformanceTest = {
  shortName: 'HTTPRouteRequestHeaderModifierBackendWeights',
  description: 'An HTTPRoute with backend request header modifier filter sends traffic to the correct backends',
  features: ['Gateway', 'HTTPRouteBackendRequestHeaderModification', 'HTTPRoute'],
  manifests: ['tests/httproute-request-header-modifier-backend-weights.yaml'],
  async test(_t, s) {
    const ns = InfrastructureNamespace;

    const routeNN = { name: 'request-header-modifier-backend-weights', namespace: ns };
    const gwNN = { name: 'same-namespace', namespace: ns };
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    const expected: ExpectedResponse = {
      request: { path: '/' },
      response: { statusCode: 200 },
      namespace: InfrastructureNamespace,
    };

    const req = makeRequest(expected, gwAddr, 'HTTP', 'http');

    // Assert request succeeds before checking traffic
    await makeRequestAndExpectEventuallyConsistentResponse(s, gwAddr, structuredClone(expected));

    for (let i = 0; i < 100; i++) {
      const { cReq } = await captureRoundTrip(s, req);
      const headers = Object.fromEntries(Object.entries(cReq.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      const expectedBackends = headers.backend ?? [];
      assert.equal(expectedBackends.length, 1, `expected a single 'Backend' header to have been set, got ${expectedBackends.length}`);
      assert.ok(
        (cReq.pod ?? '').startsWith(expectedBackends[0]!),
        `expected the backendRef to have set the correct headers and sent the request to the correct pod, got "${cReq.pod}", want "${expectedBackends[0]}"`,
      );
    }
  },
};
