// conformance/tests/httproute-matching-across-routes.go
import { InfrastructureNamespace } from '../support/base.ts';
import { runCases } from '../support/cases.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import type { ExpectedResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';

export const HTTPRouteMatchingAcrossRoutes: ConformanceTest = {
  shortName: 'HTTPRouteMatchingAcrossRoutes',
  description: 'Two HTTPRoutes with path matching for different backends',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-matching-across-routes.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN1 = {name: "matching-part1", namespace: ns};
    const routeNN2 = {name: "matching-part2", namespace: ns};
    const gwNN = {name: "same-namespace", namespace: ns};
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN1, routeNN2);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN1, gwNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN2, gwNN);

    const testCases: ExpectedResponse[] = [{
      request: {
        host: "example.com",
        path: "/",
      },
      backend:   'infra-backend-v1',
      namespace: ns,
    }, {
      request: {
        host: "example.com",
        path: "/example",
      },
      backend:   'infra-backend-v1',
      namespace: ns,
    }, {
      request: {
        host: "example.net",
        path: "/example",
      },
      backend:   'infra-backend-v1',
      namespace: ns,
    }, {
      request: {
        host:    "example.com",
        path:    "/example",
        headers: {"Version": "one"},
      },
      backend:   'infra-backend-v1',
      namespace: ns,
    }, {
      request: {
        host: "example.com",
        path: "/v2",
      },
      backend:   'infra-backend-v2',
      namespace: ns,
    }, {
      request: {
        // v2 matches are limited to example.com
        host: "example.net",
        path: "/v2",
      },
      backend:   'infra-backend-v1',
      namespace: ns,
    }, {
      request: {
        host: "example.com",
        path: "/v2/example",
      },
      backend:   'infra-backend-v2',
      namespace: ns,
    }, {
      request: {
        host:    "example.com",
        path:    "/",
        headers: {"Version": "two"},
      },
      backend:   'infra-backend-v2',
      namespace: ns,
    }];

    await runCases(t, s, gwAddr, testCases);
  },
};
