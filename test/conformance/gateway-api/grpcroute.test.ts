// Gateway API conformance (kubernetes-sigs/gateway-api v1.6.1 conformance/tests): GRPCRoute.
// One sluice serves these tests in turn, as the Go suite's one cluster does.
import { runConformanceTests } from './support/conformance.ts';
import { GRPCExactMethodMatching } from './tests/grpcroute-exact-method-matching.ts';
import { GRPCRouteHeaderMatching } from './tests/grpcroute-header-matching.ts';
import { GRPCRouteListenerHostnameMatching } from './tests/grpcroute-listener-hostname-matching.ts';
import { GRPCRouteNamedRule } from './tests/grpcroute-named-rule.ts';
import { GRPCRouteWeight } from './tests/grpcroute-weight.ts';

runConformanceTests('gateway-api conformance: GRPCRoute', 4, [
  GRPCExactMethodMatching,
  GRPCRouteHeaderMatching,
  GRPCRouteListenerHostnameMatching,
  GRPCRouteNamedRule,
  GRPCRouteWeight,
]);
