// conformance/tests/grpcroute-named-rule.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { type GrpcExpectedResponse, runGrpcCases } from '../support/grpc.ts';
import { gatewayAndRoutesMustBeAccepted } from '../support/status.ts';

export const GRPCRouteNamedRule: ConformanceTest = {
  shortName: 'GRPCRouteNamedRule',
  description: 'A GRPCRoute with a named GRPCRouteRule',
  features: ['Gateway', 'GRPCRoute', 'GRPCRouteNamedRouteRule'],
  manifests: ['tests/grpcroute-named-rule.yaml'], provisional: true,
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = {name: "grpc-named-rules", namespace: ns};
    const gwNN = {name: "same-namespace", namespace: ns};
    const gwAddr = await gatewayAndRoutesMustBeAccepted(s, 'GRPCRoute', gwNN, [routeNN]);

    const testCases: GrpcExpectedResponse[] = [
      {
        echoRequest: {},
        backend:     "grpc-infra-backend-v1",
        namespace:   ns,
      }, {
        echoTwoRequest: {},
        backend:        "grpc-infra-backend-v2",
        namespace:      ns,
      },
    ]

    await runGrpcCases(t, s, gwAddr, testCases);
  },
};

