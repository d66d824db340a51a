// conformance/tests/grpcroute-exact-method-matching.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { type GrpcExpectedResponse, codes, runGrpcCases } from '../support/grpc.ts';
import { gatewayAndRoutesMustBeAccepted } from '../support/status.ts';

export const GRPCExactMethodMatching: ConformanceTest = {
  shortName: 'GRPCExactMethodMatching',
  description: 'A single GRPCRoute with exact method matching for different backends',
  features: ['Gateway', 'GRPCRoute'],
  manifests: ['tests/grpcroute-exact-method-matching.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = {name: "exact-matching", namespace: ns};
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
      }, {
        echoThreeRequest: {},
        response:         {code: codes.Unimplemented},
      },
    ]

    await runGrpcCases(t, s, gwAddr, testCases);
  },
};

