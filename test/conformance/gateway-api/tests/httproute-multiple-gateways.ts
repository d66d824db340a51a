// conformance/tests/httproute-multiple-gateways.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { makeRequestAndExpectEventuallyConsistentResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted } from '../support/status.ts';

export const HTTPRouteMultipleGateways: ConformanceTest = {
  shortName: 'HTTPRouteMultipleGateways',
  description: 'An HTTPRoute that is attached to multiple Gateways receives traffic from each Gateway independently, and shared routes are accessible via all parent Gateways while dedicated routes are only accessible via their respective parent.',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-multiple-gateways.yaml'],
  async test(t, s) {
    await t.test("Gateway same-namespace", async (t) => {

      const routeNNs = [
        {name: "multiple-gateways-shared-route", namespace: InfrastructureNamespace},
        {name: "same-namespace-dedicated-route", namespace: InfrastructureNamespace},
      ]
      const gwNN = {name: "same-namespace", namespace: InfrastructureNamespace};
      const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, ...routeNNs);

      await t.test("shared route is accessible and routed to infra-backend-v1", async (_t) => {
        await makeRequestAndExpectEventuallyConsistentResponse(s, gwAddr, {
          request:   {path: "/shared"},
          response:  {statusCode: 200},
          backend:   'infra-backend-v1',
          namespace: InfrastructureNamespace,
        });
      });
      await t.test("dedicated route is accessible and routed to infra-backend-v2", async (_t) => {
        await makeRequestAndExpectEventuallyConsistentResponse(s, gwAddr, {
          request:   {path: "/"},
          response:  {statusCode: 200},
          backend:   'infra-backend-v2',
          namespace: InfrastructureNamespace,
        });
      });
    });

    await t.test("Gateway all-namespaces", async (t) => {

      const routeNNs = [
        {name: "multiple-gateways-shared-route", namespace: InfrastructureNamespace},
        {name: "all-namespaces-dedicated-route", namespace: InfrastructureNamespace},
      ]
      const gwNN = {name: "all-namespaces", namespace: InfrastructureNamespace};
      const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, ...routeNNs);

      await t.test("shared route is accessible and routed to infra-backend-v1", async (_t) => {
        await makeRequestAndExpectEventuallyConsistentResponse(s, gwAddr, {
          request:   {path: "/shared"},
          response:  {statusCode: 200},
          backend:   'infra-backend-v1',
          namespace: InfrastructureNamespace,
        });
      });
      await t.test("dedicated route is accessible and routed to infra-backend-v3", async (_t) => {
        await makeRequestAndExpectEventuallyConsistentResponse(s, gwAddr, {
          request:   {path: "/"},
          response:  {statusCode: 200},
          backend:   'infra-backend-v3',
          namespace: InfrastructureNamespace,
        });
      });
    });
  },
};
