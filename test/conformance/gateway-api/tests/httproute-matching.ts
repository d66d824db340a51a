// conformance/tests/httproute-matching.go
import { InfrastructureNamespace } from '../support/base.ts';
import { runCases } from '../support/cases.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import type { ExpectedResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';

export const HTTPRouteMatching: ConformanceTest = {
  shortName: 'HTTPRouteMatching',
  description: 'A single HTTPRoute with path and header matching for different backends',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-matching.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = {name: "matching", namespace: ns};
    const gwNN = {name: "same-namespace", namespace: ns};
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    const testCases: ExpectedResponse[] = [{
      request:   {path: "/"},
      backend:   'infra-backend-v1',
      namespace: ns,
    }, {
      request:   {path: "/example"},
      backend:   'infra-backend-v1',
      namespace: ns,
    }, {
      request:   {path: "/", headers: {"Version": "one"}},
      backend:   'infra-backend-v1',
      namespace: ns,
    }, {
      request:   {path: "/v2"},
      backend:   'infra-backend-v2',
      namespace: ns,
    }, {
      request:   {path: "/v2/example"},
      backend:   'infra-backend-v2',
      namespace: ns,
    }, {
      request:   {path: "/", headers: {"Version": "two"}},
      backend:   'infra-backend-v2',
      namespace: ns,
    }, {
      request:   {path: "/v2/"},
      backend:   'infra-backend-v2',
      namespace: ns,
    }, {
      // Not a path segment prefix so should not match /v2.
      request:   {path: "/v2example"},
      backend:   'infra-backend-v1',
      namespace: ns,
    }, {
      request:   {path: "/foo/v2/example"},
      backend:   'infra-backend-v1',
      namespace: ns,
    }];

    await runCases(t, s, gwAddr, testCases);
  },
};
