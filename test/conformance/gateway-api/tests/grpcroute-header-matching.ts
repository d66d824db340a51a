// conformance/tests/grpcroute-header-matching.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { type GrpcExpectedResponse, codes, runGrpcCases } from '../support/grpc.ts';
import { gatewayAndRoutesMustBeAccepted } from '../support/status.ts';

export const GRPCRouteHeaderMatching: ConformanceTest = {
  shortName: 'GRPCRouteHeaderMatching',
  description: 'A single GRPCRoute with header matching for different backends',
  features: ['Gateway', 'GRPCRoute'],
  manifests: ['tests/grpcroute-header-matching.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = {name: "grpc-header-matching", namespace: ns};
    const gwNN = {name: "same-namespace", namespace: ns};
    const gwAddr = await gatewayAndRoutesMustBeAccepted(s, 'GRPCRoute', gwNN, [routeNN]);

    const testCases: GrpcExpectedResponse[] = [{
      echoRequest: {},
      requestMetadata: {
        metadata: {"Version": "one"},
      },
      backend:   "grpc-infra-backend-v1",
      namespace: ns,
    }, {
      echoRequest: {},
      requestMetadata: {
        metadata: {"Version": "two"},
      },
      backend:   "grpc-infra-backend-v2",
      namespace: ns,
    }, {
      echoRequest: {},
      requestMetadata: {
        metadata: {"Version": "two", "Color": "orange"},
      },
      backend:   "grpc-infra-backend-v1",
      namespace: ns,
    }, {
      echoRequest: {},
      requestMetadata: {
        metadata: {"Version": "two", "Color": "blue"},
      },
      backend:   "grpc-infra-backend-v2",
      namespace: ns,
    }, {
      echoRequest: {},
      requestMetadata: {
        metadata: {"Color": "orange"},
      },
      response: {code: codes.Unimplemented},
    }, {
      echoRequest: {},
      requestMetadata: {
        metadata: {"Some-Other-Header": "one"},
      },
      response: {code: codes.Unimplemented},
    }, {
      echoRequest: {},
      requestMetadata: {
        metadata: {"Color": "blue"},
      },
      backend:   "grpc-infra-backend-v1",
      namespace: ns,
    }, {
      echoRequest: {},
      requestMetadata: {
        metadata: {"Color": "green"},
      },
      backend:   "grpc-infra-backend-v1",
      namespace: ns,
    }, {
      echoRequest: {},
      requestMetadata: {
        metadata: {"Color": "red"},
      },
      backend:   "grpc-infra-backend-v2",
      namespace: ns,
    }, {
      echoRequest: {},
      requestMetadata: {
        metadata: {"Color": "yellow"},
      },
      backend:   "grpc-infra-backend-v2",
      namespace: ns,
    }, {
      echoRequest: {},
      requestMetadata: {
        metadata: {"Color": "purple"},
      },
      response: {code: codes.Unimplemented},
    }];

    await runGrpcCases(t, s, gwAddr, testCases);
  },
};

