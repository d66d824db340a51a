// conformance/tests/gateway-http-listener-isolation.go
import { InfrastructureNamespace } from '../support/base.ts';
import { runCases } from '../support/cases.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import type { ExpectedResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue, namespacesMustBeReady } from '../support/status.ts';

export const GatewayHTTPListenerIsolation: ConformanceTest = {
  shortName: 'GatewayHTTPListenerIsolation',
  description: 'Listener isolation for HTTP listeners with multiple listeners and HTTPRoutes',
  features: ['Gateway', 'GatewayHTTPListenerIsolation', 'HTTPRoute'],
  manifests: ['tests/gateway-http-listener-isolation.yaml', 'tests/gateway-http-listener-isolation-with-hostname-intersection.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;

    await namespacesMustBeReady(s, [ns]);

    const testCases: ExpectedResponse[] = [
      // Requests to the empty-hostname listener
      {
        request:   {host: "bar.com", path: "/empty-hostname"},
        backend:   'infra-backend-v1',
        namespace: ns,
      },
      {
        request:  {host: "bar.com", path: "/wildcard-example-com"},
        response: {statusCode: 404},
      },
      {
        request:  {host: "bar.com", path: "/wildcard-foo-example-com"},
        response: {statusCode: 404},
      },
      {
        request:  {host: "bar.com", path: "/abc-foo-example-com"},
        response: {statusCode: 404},
      },
      // Requests to the wildcard-example-com listener
      {
        request:  {host: "bar.example.com", path: "/empty-hostname"},
        response: {statusCode: 404},
      },
      {
        request:   {host: "bar.example.com", path: "/wildcard-example-com"},
        backend:   'infra-backend-v1',
        namespace: ns,
      },
      {
        request:  {host: "bar.example.com", path: "/wildcard-foo-example-com"},
        response: {statusCode: 404},
      },
      {
        request:  {host: "bar.example.com", path: "/abc-foo-example-com"},
        response: {statusCode: 404},
      },
      // Requests to the foo-wildcard-example-com listener
      {
        request:  {host: "bar.foo.example.com", path: "/empty-hostname"},
        response: {statusCode: 404},
      },
      {
        request:  {host: "bar.foo.example.com", path: "/wildcard-example-com"},
        response: {statusCode: 404},
      },
      {
        request:   {host: "bar.foo.example.com", path: "/wildcard-foo-example-com"},
        backend:   'infra-backend-v1',
        namespace: ns,
      },
      {
        request:  {host: "bar.foo.example.com", path: "/abc-foo-example-com"},
        response: {statusCode: 404},
      },
      // Requests to the abc-foo-example-com listener
      {
        request:  {host: "abc.foo.example.com", path: "/empty-hostname"},
        response: {statusCode: 404},
      },
      {
        request:  {host: "abc.foo.example.com", path: "/wildcard-example-com"},
        response: {statusCode: 404},
      },
      {
        request:   {host: "abc.foo.example.com", path: "/wildcard-foo-example-com"},
        response:  {statusCode: 404},
        namespace: ns,
      },
      {
        request:   {host: "abc.foo.example.com", path: "/abc-foo-example-com"},
        backend:   'infra-backend-v1',
        namespace: ns,
      },
    ]

    await t.test("hostnames are configured only in listeners", async (t) => {
      const gwNN = {name: "http-listener-isolation", namespace: ns};
      const routes = [
        {namespace: ns, name: "attaches-to-empty-hostname"},
        {namespace: ns, name: "attaches-to-wildcard-example-com"},
        {namespace: ns, name: "attaches-to-wildcard-foo-example-com"},
        {namespace: ns, name: "attaches-to-abc-foo-example-com"},
      ]

      const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, ...routes);
      for (const routeNN of routes) {
        await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);
      }

      await runCases(t, s, gwAddr, testCases);
    });

    await t.test("intersecting hostnames are configured in listeners and HTTPRoutes", async (t) => {
      const gwNN = {name: "http-listener-isolation-with-hostname-intersection", namespace: ns};
      const routes = [
        {namespace: ns, name: "attaches-to-empty-hostname-with-hostname-intersection"},
        {namespace: ns, name: "attaches-to-wildcard-example-com-with-hostname-intersection"},
        {namespace: ns, name: "attaches-to-wildcard-foo-example-com-with-hostname-intersection"},
        {namespace: ns, name: "attaches-to-abc-foo-example-com-with-hostname-intersection"},
      ]

      const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, ...routes);
      for (const routeNN of routes) {
        await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);
      }

      await runCases(t, s, gwAddr, testCases);
    });
  },
};
