// conformance/tests/httproute-request-mirror.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { type ExpectedResponse, makeRequestAndExpectEventuallyConsistentResponse, testCaseName } from '../support/http.ts';
import { addRequestIDQueryParam, expectMirroredRequest } from '../support/mirror.ts';
import { gatewayAndHTTPRoutesMustBeAccepted } from '../support/status.ts';

export const HTTPRouteRequestMirror: ConformanceTest = {
  shortName: 'HTTPRouteRequestMirror',
  description: 'An HTTPRoute with request mirror filter',
  features: ['Gateway', 'HTTPRoute', 'HTTPRouteRequestMirror'],
  manifests: ['tests/httproute-request-mirror.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = {name: "request-mirror", namespace: ns};
    const gwNN = {name: "same-namespace", namespace: ns};
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);

    const testCases: ExpectedResponse[] = [
      {
        request: {
          path: "/mirror",
        },
        expectedRequest: {
          request: {
            path: "/mirror",
          },
        },
        backend: 'infra-backend-v1',
        mirroredTo: [
          {
              name:      'infra-backend-v2',
              namespace: ns },
        ],
        namespace: ns,
      },
      {
        request: {
          path: "/mirror-and-modify-headers",
          headers: {
            "X-Header-Remove":     "remove-val",
            "X-Header-Add-Append": "append-val-1",
          },
        },
        expectedRequest: {
          request: {
            path: "/mirror-and-modify-headers",
            headers: {
              "X-Header-Add":        "header-val-1",
              "X-Header-Add-Append": "append-val-1,header-val-2",
              "X-Header-Set":        "set-overwrites-values",
            },
          },
          absentHeaders: ["X-Header-Remove"],
        },
        namespace: ns,
        backend:   'infra-backend-v1',
        mirroredTo: [
          {
              name:      'infra-backend-v2',
              namespace: ns },
        ],
      },
    ]
    for (const [i, tc0] of testCases.entries()) {
      await t.test(testCaseName(tc0, i), async () => {
        const tc = structuredClone(tc0);
        addRequestIDQueryParam(tc);
        const waitForMirroredRequests = expectMirroredRequest(s, tc.mirroredTo ?? [], tc.request.path ?? '');
        await makeRequestAndExpectEventuallyConsistentResponse(s, gwAddr, tc);
        await waitForMirroredRequests();
      });
    }
  },
};

