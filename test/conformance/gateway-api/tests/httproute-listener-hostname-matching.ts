// conformance/tests/httproute-listener-hostname-matching.go
import { InfrastructureNamespace } from '../support/base.ts';
import { runCases } from '../support/cases.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import type { ExpectedResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue, namespacesMustBeReady } from '../support/status.ts';

export const HTTPRouteListenerHostnameMatching: ConformanceTest = {
  shortName: 'HTTPRouteListenerHostnameMatching',
  description: 'Multiple HTTP listeners with the same port and different hostnames, each with a different HTTPRoute',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-listener-hostname-matching.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;

    // This test creates an additional Gateway in the gateway-conformance-infra
    // namespace so we have to wait for it to be ready.
    await namespacesMustBeReady(s, [ns]);

    const routeNN1 = {name: "backend-v1", namespace: ns};
    const routeNN2 = {name: "backend-v2", namespace: ns};
    const routeNN3 = {name: "backend-v3", namespace: ns};
    const gwNN = {name: "httproute-listener-hostname-matching", namespace: ns};

    await gatewayAndHTTPRoutesMustBeAccepted(s, { ...gwNN, listenerNames: ["listener-1"] }, routeNN1);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN1, gwNN);

    await gatewayAndHTTPRoutesMustBeAccepted(s, { ...gwNN, listenerNames: ["listener-2"] }, routeNN2);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN2, gwNN);

    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, { ...gwNN, listenerNames: ["listener-3", "listener-4"] }, routeNN3);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN3, gwNN);

    const testCases: ExpectedResponse[] = [{
      request:   {host: "bar.com", path: "/"},
      backend:   'infra-backend-v1',
      namespace: ns,
    }, {
      request:   {host: "foo.bar.com", path: "/"},
      backend:   'infra-backend-v2',
      namespace: ns,
    }, {
      request:   {host: "baz.bar.com", path: "/"},
      backend:   'infra-backend-v3',
      namespace: ns,
    }, {
      request:   {host: "boo.bar.com", path: "/"},
      backend:   'infra-backend-v3',
      namespace: ns,
    }, {
      request:   {host: "multiple.prefixes.bar.com", path: "/"},
      backend:   'infra-backend-v3',
      namespace: ns,
    }, {
      request:   {host: "multiple.prefixes.foo.com", path: "/"},
      backend:   'infra-backend-v3',
      namespace: ns,
    }, {
      request:  {host: "foo.com", path: "/"},
      response: {statusCode: 404},
    }, {
      request:  {host: "no.matching.host", path: "/"},
      response: {statusCode: 404},
    }];

    await runCases(t, s, gwAddr, testCases);
  },
};
