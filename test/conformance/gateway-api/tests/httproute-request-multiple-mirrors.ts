// conformance/tests/httproute-request-multiple-mirrors.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { type ExpectedResponse, makeRequestAndExpectEventuallyConsistentResponse, testCaseName } from '../support/http.ts';
import { addRequestIDQueryParam, expectMirroredRequest } from '../support/mirror.ts';
import { gatewayAndHTTPRoutesMustBeAccepted } from '../support/status.ts';

export const HTTPRouteRequestMultipleMirrors: ConformanceTest = {
  shortName: 'HTTPRouteRequestMultipleMirrors',
  description: 'An HTTPRoute with multiple request mirror filters',
  features: ['Gateway', 'HTTPRoute', 'HTTPRouteRequestMirror', 'HTTPRouteRequestMultipleMirrors'],
  manifests: ['tests/httproute-request-multiple-mirrors.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = {name: "request-multiple-mirrors", namespace: ns};
    const gwNN = {name: "same-namespace", namespace: ns};
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);

    const testCases: ExpectedResponse[] = [
      {
        request: {
          path: "/multi-mirror",
        },
        expectedRequest: {
          request: {
            path: "/multi-mirror",
          },
        },
        backend: 'infra-backend-v1',
        mirroredTo: [
          {
              name:      'infra-backend-v2',
              namespace: ns },
          {
              name:      'infra-backend-v3',
              namespace: ns },
        ],
        namespace: ns,
      }, {
        request: {
          path: "/multi-mirror-and-modify-request-headers",
          headers: {
            "X-Header-Remove":     "remove-val",
            "X-Header-Add-Append": "append-val-1",
          },
        },
        expectedRequest: {
          request: {
            path: "/multi-mirror-and-modify-request-headers",
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
          {
              name:      'infra-backend-v3',
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

