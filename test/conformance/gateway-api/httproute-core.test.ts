// Gateway API conformance (kubernetes-sigs/gateway-api v1.6.1 conformance/tests): HTTPRoute core: matching, hostnames, attachment, backends.
// One sluice serves these tests in turn, as the Go suite's one cluster does.
import { runConformanceTests } from './support/conformance.ts';
import { HTTPRouteSimpleSameNamespace } from './tests/httproute-simple-same-namespace.ts';
import { HTTPRouteMatching } from './tests/httproute-matching.ts';
import { HTTPRouteExactPathMatching } from './tests/httproute-exact-path-matching.ts';
import { HTTPRouteHeaderMatching } from './tests/httproute-header-matching.ts';
import { HTTPRoutePathMatchOrder } from './tests/httproute-path-match-order.ts';
import { HTTPRouteMatchingAcrossRoutes } from './tests/httproute-matching-across-routes.ts';
import { HTTPRouteCrossNamespace } from './tests/httproute-cross-namespace.ts';
import { HTTPRouteListenerHostnameMatching } from './tests/httproute-listener-hostname-matching.ts';
import { HTTPRouteHostnameIntersection } from './tests/httproute-hostname-intersection.ts';
import { HTTPRouteNoBackendRefs } from './tests/httproute-omitted-backendrefs.ts';
import { HTTPRouteMultipleGateways } from './tests/httproute-multiple-gateways.ts';
import { HTTPRouteListenerPortMatching } from './tests/httproute-listener-port-matching.ts';

runConformanceTests('gateway-api conformance: HTTPRoute core: matching, hostnames, attachment, backends', 0, [
  HTTPRouteSimpleSameNamespace,
  HTTPRouteMatching,
  HTTPRouteExactPathMatching,
  HTTPRouteHeaderMatching,
  HTTPRoutePathMatchOrder,
  HTTPRouteMatchingAcrossRoutes,
  HTTPRouteCrossNamespace,
  HTTPRouteListenerHostnameMatching,
  HTTPRouteHostnameIntersection,
  HTTPRouteNoBackendRefs,
  HTTPRouteMultipleGateways,
  HTTPRouteListenerPortMatching,
]);
