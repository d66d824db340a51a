// conformance/tests/grpcroute-listener-hostname-matching.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { type GrpcExpectedResponse, codes, runGrpcCases } from '../support/grpc.ts';
import { gatewayAndRoutesMustBeAccepted, namespacesMustBeReady } from '../support/status.ts';

export const GRPCRouteListenerHostnameMatching: ConformanceTest = {
  shortName: 'GRPCRouteListenerHostnameMatching',
  description: 'Multiple GRPC listeners with the same port and different hostnames, each with a different GRPCRoute',
  features: ['Gateway', 'GRPCRoute'],
  manifests: ['tests/grpcroute-listener-hostname-matching.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;

    // This test creates an additional Gateway in the gateway-conformance-infra
    // namespace so we have to wait for it to be ready.
    await namespacesMustBeReady(s, [ns]);

    const gwNN = {name: "grpcroute-listener-hostname-matching", namespace: ns};

    await gatewayAndRoutesMustBeAccepted(s, 'GRPCRoute', { ...gwNN, listenerNames: ["listener-1"] }, [{namespace: ns, name: "backend-v1"}]);
    await gatewayAndRoutesMustBeAccepted(s, 'GRPCRoute', { ...gwNN, listenerNames: ["listener-2"] }, [{namespace: ns, name: "backend-v2"}]);
    const gwAddr = await gatewayAndRoutesMustBeAccepted(s, 'GRPCRoute', { ...gwNN, listenerNames: ["listener-3", "listener-4"] }, [{namespace: ns, name: "backend-v3"}]);

    const testCases: GrpcExpectedResponse[] = [{
      echoRequest: {},
      requestMetadata: {
        authority: "bar.com",
      },
      backend:   "grpc-infra-backend-v1",
      namespace: ns,
    }, {
      echoRequest: {},
      requestMetadata: {
        authority: "foo.bar.com",
      },
      backend:   "grpc-infra-backend-v2",
      namespace: ns,
    }, {
      echoRequest: {},
      requestMetadata: {
        authority: "baz.bar.com",
      },
      backend:   "grpc-infra-backend-v3",
      namespace: ns,
    }, {
      echoRequest: {},
      requestMetadata: {
        authority: "boo.bar.com",
      },
      backend:   "grpc-infra-backend-v3",
      namespace: ns,
    }, {
      echoRequest: {},
      requestMetadata: {
        authority: "multiple.prefixes.bar.com",
      },
      backend:   "grpc-infra-backend-v3",
      namespace: ns,
    }, {
      echoRequest: {},
      requestMetadata: {
        authority: "multiple.prefixes.foo.com",
      },
      backend:   "grpc-infra-backend-v3",
      namespace: ns,
    }, {
      echoRequest: {},
      requestMetadata: {
        authority: "foo.com",
      },
      response: {code: codes.Unimplemented},
    }, {
      echoRequest: {},
      requestMetadata: {
        authority: "no.matching.host",
      },
      response: {code: codes.Unimplemented},
    }];

    await runGrpcCases(t, s, gwAddr, testCases);
  },
};

