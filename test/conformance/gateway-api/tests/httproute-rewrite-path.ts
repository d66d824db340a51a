// conformance/tests/httproute-rewrite-path.go
import { InfrastructureNamespace } from '../support/base.ts';
import { runCases } from '../support/cases.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import type { ExpectedResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';

export const HTTPRouteRewritePath: ConformanceTest = {
  shortName: 'HTTPRouteRewritePath',
  description: 'An HTTPRoute with path rewrite filter',
  features: ['Gateway', 'HTTPRoute', 'HTTPRoutePathRewrite'],
  manifests: ['tests/httproute-rewrite-path.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = {name: "rewrite-path", namespace: ns};
    const gwNN = {name: "same-namespace", namespace: ns};
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    const testCases: ExpectedResponse[] = [
      {
        request: {
          path: "/prefix/one/two",
        },
        expectedRequest: {
          request: {
            path: "/one/two",
          },
        },
        backend:   'infra-backend-v1',
        namespace: ns,
      },
      {
        request: {
          path: "/strip-prefix/three",
        },
        expectedRequest: {
          request: {
            path: "/three",
          },
        },
        backend:   'infra-backend-v1',
        namespace: ns,
      },
      {
        request: {
          path: "/strip-prefix",
        },
        expectedRequest: {
          request: {
            path: "/",
          },
        },
        backend:   'infra-backend-v1',
        namespace: ns,
      },
      {
        request: {
          path: "/full/one/two",
        },
        expectedRequest: {
          request: {
            path: "/one",
          },
        },
        backend:   'infra-backend-v1',
        namespace: ns,
      },
      {
        request: {
          path: "/full/rewrite-path-and-modify-headers/test",
          headers: {
            "X-Header-Remove":     "remove-val",
            "X-Header-Add-Append": "append-val-1",
            "X-Header-Set":        "set-val",
          },
        },
        expectedRequest: {
          request: {
            path: "/test",
            headers: {
              "X-Header-Add":        "header-val-1",
              "X-Header-Add-Append": "append-val-1,header-val-2",
              "X-Header-Set":        "set-overwrites-values",
            },
          },
          absentHeaders: ["X-Header-Remove"],
        },
        backend:   'infra-backend-v1',
        namespace: ns,
      },
      {
        request: {
          path: "/prefix/rewrite-path-and-modify-headers/one",
          headers: {
            "X-Header-Remove":     "remove-val",
            "X-Header-Add-Append": "append-val-1",
            "X-Header-Set":        "set-val",
          },
        },
        expectedRequest: {
          request: {
            path: "/prefix/one",
            headers: {
              "X-Header-Add":        "header-val-1",
              "X-Header-Add-Append": "append-val-1,header-val-2",
              "X-Header-Set":        "set-overwrites-values",
            },
          },
          absentHeaders: ["X-Header-Remove"],
        },
        backend:   'infra-backend-v1',
        namespace: ns,
      },
    ]
    await runCases(t, s, gwAddr, testCases);
  },
};
