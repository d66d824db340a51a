// conformance/tests/httproute-weight.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { captureRoundTrip, compareRoundTrip, type ExpectedResponse, makeRequest, makeRequestAndExpectEventuallyConsistentResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';
import { addRandomEntropy, expectWeightedDistribution } from '../support/weight.ts';

export const HTTPRouteWeight: ConformanceTest = {
  shortName: 'HTTPRouteWeight',
  description: 'An HTTPRoute with weighted backends',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-weight.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = { name: 'weighted-backends', namespace: ns };
    const gwNN = { name: 'same-namespace', namespace: ns };
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);

    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    await t.test('Requests should have a distribution that matches the weight', async (t) => {
      const expected: ExpectedResponse = {
        request: { path: '/' },
        response: { statusCodes: [200] },
        namespace: InfrastructureNamespace,
      };

      // Assert request succeeds before doing our distribution check
      await makeRequestAndExpectEventuallyConsistentResponse(s, gwAddr, structuredClone(expected));

      const expectedWeights = {
        'infra-backend-v1': 0.7,
        'infra-backend-v2': 0.3,
        'infra-backend-v3': 0.0,
      };

      await expectWeightedDistribution((m) => t.diagnostic(m), async () => {
        // AddEntropy: the random value replaces the request's headers.
        const uniqueExpected = structuredClone(expected);
        addRandomEntropy((v) => (uniqueExpected.request.headers = { 'X-Jitter': v }));
        const req = makeRequest(uniqueExpected, gwAddr, 'HTTP', 'http');
        const { cReq, cRes } = await captureRoundTrip(s, req);
        const why = compareRoundTrip(req, cReq, cRes, structuredClone(expected));
        if (why !== undefined) throw new Error(`response expectation failed for request: ${why}`);
        return cReq.pod ?? '';
      }, expectedWeights);
    });
  },
};
