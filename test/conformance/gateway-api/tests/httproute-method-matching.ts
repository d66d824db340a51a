// conformance/tests/httproute-method-matching.go
import { InfrastructureNamespace } from '../support/base.ts';
import { runCases } from '../support/cases.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import type { ExpectedResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';

export const HTTPRouteMethodMatching: ConformanceTest = {
  shortName: 'HTTPRouteMethodMatching',
  description: 'A single HTTPRoute with method matching for different backends',
  features: ['Gateway', 'HTTPRoute', 'HTTPRouteMethodMatching'],
  manifests: ['tests/httproute-method-matching.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = {name: "method-matching", namespace: ns};
    const gwNN = {name: "same-namespace", namespace: ns};
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    const testCases: ExpectedResponse[] = [
      {
        request:   {method: "POST", path: "/"},
        backend:   'infra-backend-v1',
        namespace: ns,
      }, {
        request:   {method: "GET", path: "/"},
        backend:   'infra-backend-v2',
        namespace: ns,
      }, {
        request:  {method: "HEAD", path: "/"},
        response: {statusCode: 404},
      },
    ]

    // Combinations of method matching with other core matches.
    testCases.push(...[
      {
        request:   {path: "/path1", method: "GET"},
        backend:   'infra-backend-v1',
        namespace: ns,
      },
      {
        request:   {headers: {"version": "one"}, path: "/", method: "PUT"},
        backend:   'infra-backend-v2',
        namespace: ns,
      },
      {
        request:   {headers: {"version": "two"}, path: "/path2", method: "POST"},
        backend:   'infra-backend-v3',
        namespace: ns,
      },
    ]);

    // Ensure that combinations of matches which are OR'd together match
    // even if only one of them is used in the request.
    testCases.push(...[
      {
        request:   {path: "/path3", method: "PATCH"},
        backend:   'infra-backend-v1',
        namespace: ns,
      },
      {
        request:   {headers: {"version": "three"}, path: "/path4", method: "DELETE"},
        backend:   'infra-backend-v1',
        namespace: ns,
      },
    ]);

    // Ensure that combinations of match types which are ANDed together do not match
    // when only a subset of match types is used in the request.
    testCases.push(...[
      {
        request:  {path: "/", method: "PUT"},
        response: {statusCode: 404},
      },
      {
        request:  {path: "/path4", method: "DELETE"},
        response: {statusCode: 404},
      },
    ]);

    // For requests that satisfy multiple matches, ensure precedence order
    // defined by the Gateway API spec is maintained.
    testCases.push(...[
      {
        request:   {path: "/path5", method: "PATCH"},
        backend:   'infra-backend-v1',
        namespace: ns,
      },
      {
        request:   {headers: {"version": "four"}, path: "/", method: "PATCH"},
        backend:   'infra-backend-v2',
        namespace: ns,
      },
    ]);

    await runCases(t, s, gwAddr, testCases);
  },
};
