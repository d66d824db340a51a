// conformance/tests/httproute-header-matching.go
import { InfrastructureNamespace } from '../support/base.ts';
import { runCases } from '../support/cases.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import type { ExpectedResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';

export const HTTPRouteHeaderMatching: ConformanceTest = {
  shortName: 'HTTPRouteHeaderMatching',
  description: 'A single HTTPRoute with header matching for different backends',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-header-matching.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = {name: "header-matching", namespace: ns};
    const gwNN = {name: "same-namespace", namespace: ns};
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    const testCases: ExpectedResponse[] = [{
      request:   {path: "/", headers: {"Version": "one"}},
      backend:   'infra-backend-v1',
      namespace: ns,
    }, {
      request:   {path: "/", headers: {"Version": "two"}},
      backend:   'infra-backend-v2',
      namespace: ns,
    }, {
      request:   {path: "/", headers: {"Version": "two", "Color": "orange"}},
      backend:   'infra-backend-v1',
      namespace: ns,
    }, {
      request:   {path: "/", headers: {"Version": "two", "Color": "blue"}},
      backend:   'infra-backend-v2',
      namespace: ns,
    }, {
      request:  {path: "/", headers: {"Color": "orange"}},
      response: {statusCode: 404},
    }, {
      request:  {path: "/", headers: {"Some-Other-Header": "one"}},
      response: {statusCode: 404},
    }, {
      request:   {path: "/", headers: {"Color": "blue"}},
      backend:   'infra-backend-v1',
      namespace: ns,
    }, {
      request:   {path: "/", headers: {"Color": "green"}},
      backend:   'infra-backend-v1',
      namespace: ns,
    }, {
      request:   {path: "/", headers: {"Color": "red"}},
      backend:   'infra-backend-v2',
      namespace: ns,
    }, {
      request:   {path: "/", headers: {"Color": "yellow"}},
      backend:   'infra-backend-v2',
      namespace: ns,
    }, {
      request:  {path: "/", headers: {"Color": "purple"}},
      response: {statusCode: 404},
    }];

    await runCases(t, s, gwAddr, testCases);
  },
};
