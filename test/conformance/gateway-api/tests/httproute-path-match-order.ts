// conformance/tests/httproute-path-match-order.go
import { InfrastructureNamespace } from '../support/base.ts';
import { runCases } from '../support/cases.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import type { ExpectedResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';

export const HTTPRoutePathMatchOrder: ConformanceTest = {
  shortName: 'HTTPRoutePathMatchOrder',
  description: 'An HTTPRoute where there are multiple matches routing to any given backend follows match order precedence',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-path-match-order.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = {namespace: ns, name: "path-matching-order"};
    const gwNN = {namespace: ns, name: "same-namespace"};
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    const testCases: ExpectedResponse[] = [
      {
        request:   {path: "/match/exact/one"},
        backend:   'infra-backend-v3',
        namespace: ns,
      }, {
        request:   {path: "/match/exact"},
        backend:   'infra-backend-v2',
        namespace: ns,
      }, {
        request:   {path: "/match"},
        backend:   'infra-backend-v1',
        namespace: ns,
      }, {
        request:   {path: "/match/prefix/one/any"},
        backend:   'infra-backend-v2',
        namespace: ns,
      }, {
        request:   {path: "/match/prefix/any"},
        backend:   'infra-backend-v1',
        namespace: ns,
      }, {
        request:   {path: "/match/any"},
        backend:   'infra-backend-v3',
        namespace: ns,
      },
    ]

    await runCases(t, s, gwAddr, testCases);
  },
};
