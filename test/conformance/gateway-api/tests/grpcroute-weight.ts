// conformance/tests/grpcroute-weight.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { codes, type GrpcExpectedResponse, grpcMakeRequestAndExpectEventuallyConsistentResponse, sendRPC } from '../support/grpc.ts';
import { gatewayAndRoutesMustBeAccepted } from '../support/status.ts';
import { addRandomEntropy, expectWeightedDistribution } from '../support/weight.ts';

export const GRPCRouteWeight: ConformanceTest = {
  shortName: 'GRPCRouteWeight',
  description: 'A GRPCRoute with weighted backends',
  features: ['Gateway', 'GRPCRoute'],
  manifests: ['tests/grpcroute-weight.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = { name: 'weighted-backends', namespace: ns };
    const gwNN = { name: 'same-namespace', namespace: ns };
    const gwAddr = await gatewayAndRoutesMustBeAccepted(s, 'GRPCRoute', gwNN, [routeNN], true);

    await t.test('Requests should have a distribution that matches the weight', async (t) => {
      const expected: GrpcExpectedResponse = {
        echoRequest: {},
        response: { code: codes.OK },
        namespace: InfrastructureNamespace,
      };

      // Assert request succeeds before doing our distribution check
      await grpcMakeRequestAndExpectEventuallyConsistentResponse(s, gwAddr, expected);

      const expectedWeights = {
        'grpc-infra-backend-v1': 0.7,
        'grpc-infra-backend-v2': 0.3,
        'grpc-infra-backend-v3': 0.0,
      };

      await expectWeightedDistribution((m) => t.diagnostic(m), async () => {
        const uniqueExpected = structuredClone(expected);
        addRandomEntropy((v) => {
          uniqueExpected.requestMetadata ??= {};
          uniqueExpected.requestMetadata.metadata = { ...uniqueExpected.requestMetadata.metadata, 'x-jitter': v };
        });
        const resp = await sendRPC(s, gwAddr, uniqueExpected, s.timeouts.consistency);
        if (resp.code !== codes.OK) throw new Error(`expected OK response, got ${resp.code}`);
        return resp.response?.assertions?.context?.pod ?? '';
      }, expectedWeights);
    });
  },
};
