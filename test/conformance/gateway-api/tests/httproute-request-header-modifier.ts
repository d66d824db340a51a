// conformance/tests/httproute-request-header-modifier.go
import { InfrastructureNamespace } from '../support/base.ts';
import { runCases } from '../support/cases.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import type { ExpectedResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';

export const HTTPRouteBackendRequestHeaderModifier: ConformanceTest = {
  shortName: 'HTTPRouteBackendRequestHeaderModifier',
  description: 'An HTTPRoute backend has request header modifier filters applied correctly',
  features: ['Gateway', 'HTTPRoute', 'HTTPRouteBackendRequestHeaderModification'],
  manifests: ['tests/httproute-request-header-modifier-backend.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = {name: "request-header-modifier", namespace: ns};
    const gwNN = {name: "same-namespace", namespace: ns};
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    const testCases: ExpectedResponse[] = [{
      request: {
        path: "/set",
        headers: {
          "Some-Other-Header": "val",
        },
      },
      expectedRequest: {
        request: {
          path: "/set",
          headers: {
            "Some-Other-Header": "val",
            "X-Header-Set":      "set-overwrites-values",
          },
        },
      },
      backend:   'infra-backend-v1',
      namespace: ns,
    }, {
      request: {
        path: "/set",
        headers: {
          "Some-Other-Header": "val",
          "X-Header-Set":      "some-other-value",
        },
      },
      expectedRequest: {
        request: {
          path: "/set",
          headers: {
            "Some-Other-Header": "val",
            "X-Header-Set":      "set-overwrites-values",
          },
        },
      },
      backend:   'infra-backend-v1',
      namespace: ns,
    }, {
      request: {
        path: "/add",
        headers: {
          "Some-Other-Header": "val",
        },
      },
      expectedRequest: {
        request: {
          path: "/add",
          headers: {
            "Some-Other-Header": "val",
            "X-Header-Add":      "add-appends-values",
          },
        },
      },
      backend:   'infra-backend-v1',
      namespace: ns,
    }, {
      request: {
        path: "/add",
        headers: {
          "Some-Other-Header": "val",
          "X-Header-Add":      "some-other-value",
        },
      },
      expectedRequest: {
        request: {
          path: "/add",
          headers: {
            "Some-Other-Header": "val",
            "X-Header-Add":      "some-other-value,add-appends-values",
          },
        },
      },
      backend:   'infra-backend-v1',
      namespace: ns,
    }, {
      request: {
        path: "/remove",
        headers: {
          "X-Header-Remove": "val",
        },
      },
      expectedRequest: {
        request: {
          path: "/remove",
        },
        absentHeaders: ["X-Header-Remove"],
      },
      backend:   'infra-backend-v1',
      namespace: ns,
    }, {
      request: {
        path: "/multiple",
        headers: {
          "X-Header-Set-2":    "set-val-2",
          "X-Header-Add-2":    "add-val-2",
          "X-Header-Remove-2": "remove-val-2",
          "Another-Header":    "another-header-val",
        },
      },
      expectedRequest: {
        request: {
          path: "/multiple",
          headers: {
            "X-Header-Set-1": "header-set-1",
            "X-Header-Set-2": "header-set-2",
            "X-Header-Add-1": "header-add-1",
            "X-Header-Add-2": "add-val-2,header-add-2",
            "X-Header-Add-3": "header-add-3",
            "Another-Header": "another-header-val",
          },
        },
        absentHeaders: ["X-Header-Remove-1", "X-Header-Remove-2"],
      },
      backend:   'infra-backend-v1',
      namespace: ns,
    }, {
      request: {
        path: "/case-insensitivity",
        // The filter uses canonicalized header names,
        // the request uses lowercase names.
        headers: {
          "x-header-set":    "original-val-set",
          "x-header-add":    "original-val-add",
          "x-header-remove": "original-val-remove",
          "Another-Header":  "another-header-val",
        },
      },
      expectedRequest: {
        request: {
          path: "/case-insensitivity",
          headers: {
            "X-Header-Set":   "header-set",
            "X-Header-Add":   "original-val-add,header-add",
            "Another-Header": "another-header-val",
          },
        },
        absentHeaders: ["x-header-remove", "X-Header-Remove"],
      },
      backend:   'infra-backend-v1',
      namespace: ns,
    }];

    await runCases(t, s, gwAddr, testCases);
  },
};
