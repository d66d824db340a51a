// conformance/tests/httproute-hostname-intersection.go
import { InfrastructureNamespace } from '../support/base.ts';
import { runCases } from '../support/cases.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import type { ExpectedResponse } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveParents, httpRouteMustHaveResolvedRefsConditionsTrue, gatewayStatusMustHaveListeners, namespacesMustBeReady, GatewayGroup, type NamespacedName, type ParentReference } from '../support/status.ts';

export const HTTPRouteHostnameIntersection: ConformanceTest = {
  shortName: 'HTTPRouteHostnameIntersection',
  description: 'HTTPRoutes should attach to listeners only if they have intersecting hostnames, and should accept requests only for the intersecting hostnames',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-hostname-intersection.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const gwNN = {name: "httproute-hostname-intersection", namespace: ns};

    // This test creates an additional Gateway in the gateway-conformance-infra
    // namespace so we have to wait for it to be ready.
    await namespacesMustBeReady(s, [ns]);

    await t.test("HTTPRoutes that do intersect with listener hostnames", async (t) => {
      const routes = [
        {namespace: ns, name: "specific-host-matches-listener-specific-host"},
        {namespace: ns, name: "specific-host-matches-listener-wildcard-host"},
        {namespace: ns, name: "wildcard-host-matches-listener-specific-host"},
        {namespace: ns, name: "wildcard-host-matches-listener-wildcard-host"},
      ]
      const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, ...routes);
      for (const routeNN of routes) {
        await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);
      }

      const testCases: ExpectedResponse[] = [];

      // Test cases for HTTPRoute "specific-host-matches-listener-specific-host".
      testCases.push(
        {
          request:   {host: "very.specific.com", path: "/s1"},
          backend:   'infra-backend-v1',
          namespace: ns,
        },
        // Port value within the Host header MUST not be considered while
        // performing match against hostname.
        {
          request:   {host: "very.specific.com:1234", path: "/s1"},
          backend:   'infra-backend-v1',
          namespace: ns,
        },
        {
          request:  {host: "non.matching.com", path: "/s1"},
          response: {statusCode: 404},
        },
        {
          request:  {host: "foo.nonmatchingwildcard.io", path: "/s1"},
          response: {statusCode: 404},
        },
        {
          request:  {host: "foo.wildcard.io", path: "/s1"},
          response: {statusCode: 404},
        },
        {
          request:  {host: "very.specific.com", path: "/non-matching-prefix"},
          response: {statusCode: 404},
        },
      )

      //  Test cases for HTTPRoute "specific-host-matches-listener-wildcard-host".
      testCases.push(
        {
          request:   {host: "foo.wildcard.io", path: "/s2"},
          backend:   'infra-backend-v2',
          namespace: ns,
        },
        {
          request:   {host: "bar.wildcard.io", path: "/s2"},
          backend:   'infra-backend-v2',
          namespace: ns,
        },
        {
          request:   {host: "foo.bar.wildcard.io", path: "/s2"},
          backend:   'infra-backend-v2',
          namespace: ns,
        },
        {
          request:  {host: "non.matching.com", path: "/s2"},
          response: {statusCode: 404},
        },
        {
          request:  {host: "wildcard.io", path: "/s2"},
          response: {statusCode: 404},
        },

        {
          request:  {host: "very.specific.com", path: "/s2"},
          response: {statusCode: 404},
        },
        {
          request:  {host: "foo.wildcard.io", path: "/non-matching-prefix"},
          response: {statusCode: 404},
        },
      )

      //  Test cases for HTTPRoute "wildcard-host-matches-listener-specific-host".
      testCases.push(
        {
          request:   {host: "very.specific.com", path: "/s3"},
          backend:   'infra-backend-v3',
          namespace: ns,
        },
        {
          request:  {host: "non.matching.com", path: "/s3"},
          response: {statusCode: 404},
        },
        {
          request:  {host: "foo.specific.com", path: "/s3"},
          response: {statusCode: 404},
        },
        {
          request:  {host: "foo.wildcard.io", path: "/s3"},
          response: {statusCode: 404},
        },
        {
          request:  {host: "very.specific.com", path: "/non-matching-prefix"},
          response: {statusCode: 404},
        },
      )

      //  Test cases for HTTPRoute "wildcard-host-matches-listener-wildcard-host".
      testCases.push(
        {
          request:   {host: "foo.anotherwildcard.io", path: "/s4"},
          backend:   'infra-backend-v1',
          namespace: ns,
        },
        {
          request:   {host: "bar.anotherwildcard.io", path: "/s4"},
          backend:   'infra-backend-v1',
          namespace: ns,
        },
        {
          request:   {host: "foo.bar.anotherwildcard.io", path: "/s4"},
          backend:   'infra-backend-v1',
          namespace: ns,
        },
        {
          request:  {host: "anotherwildcard.io", path: "/s4"},
          response: {statusCode: 404},
        },

        {
          request:  {host: "foo.wildcard.io", path: "/s4"},
          response: {statusCode: 404},
        },
        {
          request:  {host: "very.specific.com", path: "/s4"},
          response: {statusCode: 404},
        },
        {
          request:  {host: "foo.anotherwildcard.io", path: "/non-matching-prefix"},
          response: {statusCode: 404},
        },
      )

      await runCases(t, s, gwAddr, testCases);
    });

    await t.test("HTTPRoutes that do not intersect with listener hostnames", async (t) => {
      const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN);
      const routeNN = {namespace: ns, name: "no-intersecting-hosts"};

      const parents = [{
        parentRef:      parentRefTo(gwNN),
        controllerName: s.controllerName,
        conditions: [
          {
            type:   'Accepted',
            status: 'False',
            reason: 'NoMatchingListenerHostname',
          },
        ],
      }];

      await httpRouteMustHaveParents(s, routeNN, parents, true);

      const testCases: ExpectedResponse[] = [
        {
          request:  {host: "specific.but.wrong.com", path: "/s5"},
          response: {statusCode: 404},
        },
        {
          request:  {host: "wildcard.io", path: "/s5"},
          response: {statusCode: 404},
        },
      ]

      await runCases(t, s, gwAddr, testCases);
    });

    await t.test("HTTPRoutes have to be counted in AttachedRoutes only if they are Accepted", async (_t) => {
      // HTTPRoute no-intersecting-hosts should not be attached to any of the listeners.
      const listeners = [
        {
          name: "listener-1",
          supportedKinds: [{
            group: GatewayGroup,
            kind:  "HTTPRoute",
          }],
          conditions: [
            {
              type:   'Accepted',
              status: 'True',
              reason: "", // any reason;
            },
            {
              type:   'ResolvedRefs',
              status: 'True',
              reason: "", // any reason;
            },
          ],
          attachedRoutes: 2, // HTTPRoute specific-host-matches-listener-specific-host and wildcard-host-matches-listener-specific-host;
        },
        {
          name: "listener-2",
          supportedKinds: [{
            group: GatewayGroup,
            kind:  "HTTPRoute",
          }],
          conditions: [
            {
              type:   'Accepted',
              status: 'True',
              reason: "", // any reason;
            },
            {
              type:   'ResolvedRefs',
              status: 'True',
              reason: "", // any reason;
            },
          ],
          attachedRoutes: 1, // HTTPRoute wildcard-host-matches-listener-wildcard-host;
        },
        {
          name: "listener-3",
          supportedKinds: [{
            group: GatewayGroup,
            kind:  "HTTPRoute",
          }],
          conditions: [
            {
              type:   'Accepted',
              status: 'True',
              reason: "", // any reason;
            },
            {
              type:   'ResolvedRefs',
              status: 'True',
              reason: "", // any reason;
            },
          ],
          attachedRoutes: 1, // HTTPRoute wildcard-host-matches-listener-wildcard-host;
        },
      ]

      await gatewayStatusMustHaveListeners(s, gwNN, listeners);
    });

    await t.test("HTTPRoutes intersects with an unspecified hostname listener", async (t) => {
      const routes = [
        {namespace: ns, name: "httproute-hostname-intersection-all"},
      ]
      const gwNN = {name: "httproute-hostname-intersection-all", namespace: ns};
      const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, ...routes);
      for (const routeNN of routes) {
        await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);
      }

      const testCases: ExpectedResponse[] = [];
      testCases.push(
        {
          request:   {host: "first.com", path: "/"},
          backend:   'infra-backend-v2',
          namespace: ns,
        },
        {
          request:   {host: "sub.first.com", path: "/"},
          backend:   'infra-backend-v2',
          namespace: ns,
        },
        {
          request:   {host: "second.com", path: "/"},
          backend:   'infra-backend-v2',
          namespace: ns,
        },
        {
          request:   {host: "sub.second.com", path: "/"},
          backend:   'infra-backend-v2',
          namespace: ns,
        },
        // Following should fail since it is not specified on the HTTPRoute
        {
          request:   {host: "third.com", path: "/"},
          namespace: ns,
          response:  {statusCode: 404},
        },
        {
          request:   {host: "sub.third.com", path: "/"},
          namespace: ns,
          response:  {statusCode: 404},
        },
      )

      await runCases(t, s, gwAddr, testCases);
    });
  },
};

function parentRefTo(gateway: NamespacedName): ParentReference {
  return { group: GatewayGroup, kind: 'Gateway', namespace: gateway.namespace, name: gateway.name };
}
