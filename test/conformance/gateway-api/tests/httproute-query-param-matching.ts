// conformance/tests/httproute-query-param-matching.go
import { InfrastructureNamespace } from '../support/base.ts';
import { runCases } from '../support/cases.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import type { ExpectedResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';

export const HTTPRouteQueryParamMatching: ConformanceTest = {
  shortName: 'HTTPRouteQueryParamMatching',
  description: 'A single HTTPRoute with query param matching for different backends',
  features: ['Gateway', 'HTTPRoute', 'HTTPRouteQueryParamMatching'],
  manifests: ['tests/httproute-query-param-matching.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = {namespace: ns, name: "query-param-matching"};
    const gwNN = {namespace: ns, name: "same-namespace"};
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    const testCases: ExpectedResponse[] = [{
      request:   {path: "/?animal=whale"},
      backend:   'infra-backend-v1',
      namespace: ns,
    }, {
      request:   {path: "/?animal=dolphin"},
      backend:   'infra-backend-v2',
      namespace: ns,
    }, {
      request:   {path: "/?animal=dolphin&color=blue"},
      backend:   'infra-backend-v3',
      namespace: ns,
    }, {
      request:   {path: "/?ANIMAL=Whale"},
      backend:   'infra-backend-v3',
      namespace: ns,
    }, {
      request:   {path: "/?animal=whale&otherparam=irrelevant"},
      backend:   'infra-backend-v1',
      namespace: ns,
    }, {
      request:   {path: "/?animal=dolphin&color=yellow"},
      backend:   'infra-backend-v2',
      namespace: ns,
    }, {
      request:  {path: "/?color=blue"},
      response: {statusCode: 404},
    }, {
      request:  {path: "/?animal=dog"},
      response: {statusCode: 404},
    }, {
      request:  {path: "/?animal=whaledolphin"},
      response: {statusCode: 404},
    }, {
      request:  {path: "/"},
      response: {statusCode: 404},
    }];

    // Combinations of query param matching with other core matches.
    testCases.push(...[
      {
        request:   {path: "/path1?animal=whale"},
        backend:   'infra-backend-v1',
        namespace: ns,
      },
      {
        request:   {headers: {"version": "one"}, path: "/?animal=whale"},
        backend:   'infra-backend-v2',
        namespace: ns,
      },
      {
        request:   {headers: {"version": "two"}, path: "/path2?animal=whale"},
        backend:   'infra-backend-v3',
        namespace: ns,
      },
    ]);

    // Ensure that combinations of matches which are OR'd together match
    // even if only one of them is used in the request.
    testCases.push(...[
      {
        request:   {path: "/path3?animal=shark"},
        backend:   'infra-backend-v1',
        namespace: ns,
      },
      {
        request:   {headers: {"version": "three"}, path: "/path4?animal=kraken"},
        backend:   'infra-backend-v1',
        namespace: ns,
      },
    ]);

    // Ensure that combinations of match types which are ANDed together do not match
    // when only a subset of match types is used in the request.
    testCases.push(...[
      {
        request:  {path: "/?animal=shark"},
        response: {statusCode: 404},
      },
      {
        request:  {path: "/path4?animal=kraken"},
        response: {statusCode: 404},
      },
    ]);

    // For requests that satisfy multiple matches, ensure precedence order
    // defined by the Gateway API spec is maintained.
    testCases.push(...[
      {
        request:   {path: "/path5?animal=hydra"},
        backend:   'infra-backend-v1',
        namespace: ns,
      },
      {
        request:   {headers: {"version": "four"}, path: "/?animal=hydra"},
        backend:   'infra-backend-v3',
        namespace: ns,
      },
    ]);

    await runCases(t, s, gwAddr, testCases);
  },
};
