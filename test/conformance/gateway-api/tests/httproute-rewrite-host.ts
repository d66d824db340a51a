// conformance/tests/httproute-rewrite-host.go
import { InfrastructureNamespace } from '../support/base.ts';
import { runCases } from '../support/cases.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import type { ExpectedResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';

export const HTTPRouteRewriteHost: ConformanceTest = {
  shortName: 'HTTPRouteRewriteHost',
  description: 'An HTTPRoute with hostname rewrite filter',
  features: ['Gateway', 'HTTPRoute', 'HTTPRouteHostRewrite'],
  manifests: ['tests/httproute-rewrite-host.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = {name: "rewrite-host", namespace: ns};
    const gwNN = {name: "same-namespace", namespace: ns};
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    const testCases: ExpectedResponse[] = [
      {
        request: {
          path: "/one",
          host: "rewrite.example",
        },
        expectedRequest: {
          request: {
            path: "/one",
            host: "one.example.org",
          },
        },
        backend:   'infra-backend-v1',
        namespace: ns,
      }, {
        request: {
          path: "/two",
          host: "rewrite.example",
        },
        expectedRequest: {
          request: {
            path: "/two",
            host: "example.org",
          },
        },
        backend:   'infra-backend-v2',
        namespace: ns,
      }, {
        request: {
          path: "/rewrite-host-and-modify-headers",
          host: "rewrite.example",
          headers: {
            "X-Header-Remove":     "remove-val",
            "X-Header-Add-Append": "append-val-1",
          },
        },
        expectedRequest: {
          request: {
            path: "/rewrite-host-and-modify-headers",
            host: "test.example.org",
            headers: {
              "X-Header-Add":        "header-val-1",
              "X-Header-Add-Append": "append-val-1,header-val-2",
              "X-Header-Set":        "set-overwrites-values",
            },
          },
          absentHeaders: ["X-Header-Remove"],
        },
        backend:   'infra-backend-v2',
        namespace: ns,
      },
    ]
    await runCases(t, s, gwAddr, testCases);
  },
};
