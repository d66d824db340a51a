// conformance/tests/httproute-listener-port-matching.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { type ExpectedResponse, makeRequestAndExpectEventuallyConsistentResponse, testCaseName } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue, namespacesMustBeReady } from '../support/status.ts';

export const HTTPRouteListenerPortMatching: ConformanceTest = {
  shortName: 'HTTPRouteListenerPortMatching',
  description: 'Multiple HTTP listeners with different ports, each with a different HTTPRoute',
  features: ['Gateway', 'HTTPRoute', 'HTTPRouteParentRefPort'],
  manifests: ['tests/httproute-listener-port-matching.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;

    // This test creates an additional Gateway in the gateway-conformance-infra
    // namespace so we have to wait for it to be ready.
    await namespacesMustBeReady(s, [ns]);

    const routeNN1 = {name: "backend-v1", namespace: ns};
    const routeNN2 = {name: "backend-v2", namespace: ns};
    const routeNN3 = {name: "backend-v3", namespace: ns};
    const gwNN = {name: "httproute-listener-port-matching", namespace: ns};

    const gwAddr80 = await gatewayAndHTTPRoutesMustBeAccepted(s, { ...gwNN, listenerNames: ["listener-1"] }, routeNN1);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN1, gwNN);

    const gwAddr8080 = await gatewayAndHTTPRoutesMustBeAccepted(s, { ...gwNN, listenerNames: ["listener-2"] }, routeNN2);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN2, gwNN);

    const gwAddr8090 = await gatewayAndHTTPRoutesMustBeAccepted(s, { ...gwNN, listenerNames: ["listener-4"] }, routeNN3);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN3, gwNN);

    const testCases: ExpectedResponse[] = [{
      request:   {host: "foo.com", path: "/"},
      backend:   'infra-backend-v1',
      namespace: ns,
    }, {
      request:   {host: "foo.com:8080", path: "/"},
      backend:   'infra-backend-v2',
      namespace: ns,
    }, {
      request:   {host: "bar.com:8080", path: "/"},
      backend:   'infra-backend-v2',
      namespace: ns,
    }, {
      request:   {host: "foo.com:8090", path: "/"},
      backend:   'infra-backend-v3',
      namespace: ns,
    }, {
      request:  {host: "bar.com:8090", path: "/"},
      response: {statusCode: 404},
    }];

    for (const [i, tc] of testCases.entries()) {
      await t.test(testCaseName(tc, i), async () => {
        let gwAddr = gwAddr80;
        const hostport = (tc.request.host ?? '').split(':');
        if (hostport.length === 2) {
          if (hostport[1] === '8080') gwAddr = gwAddr8080;
          if (hostport[1] === '8090') gwAddr = gwAddr8090;
        }
        await makeRequestAndExpectEventuallyConsistentResponse(s, gwAddr, tc);
      });
    }
  },
};
