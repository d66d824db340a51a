// conformance/tests/httproute-service-types.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { type ExpectedResponse, makeRequestAndExpectEventuallyConsistentResponse, testCaseName } from '../support/http.ts';
import type { KubeObject } from '../support/manifests.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';
import type { ConformanceSuite } from '../support/suite.ts';

export const HTTPRouteServiceTypes: ConformanceTest = {
  shortName: 'HTTPRouteServiceTypes',
  description: 'A single HTTPRoute should be able to route traffic to various service type backends',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-service-types.yaml'],
  async test(t, s) {
    const typeManualEndpointSlices = ['manual-endpointslices', 'headless-manual-endpointslices'];
    const typeManaged = ['headless'];
    const serviceTypes = [...typeManualEndpointSlices, ...typeManaged];
    const ns = InfrastructureNamespace;
    const routeNN = { name: 'service-types', namespace: ns };
    const gwNN = { name: 'same-namespace', namespace: ns };

    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    // Setup Manual Endpoints
    const pods = s.pods(`${ns}/infra-backend-v1`);
    if (pods.length === 0) throw new Error("Expected 'infra-backend-v1' to have running Pods");
    const cleanup = await setupEndpointSlices(s, typeManualEndpointSlices, ns, pods.map((p) => p.backend.port));
    try {
      for (const [i, path] of serviceTypes.entries()) {
        const expected: ExpectedResponse = {
          request: { path: '/' + path },
          response: { statusCode: 200 },
          backend: 'infra-backend-v1',
          namespace: InfrastructureNamespace,
        };
        await t.test(testCaseName(expected, i), () => makeRequestAndExpectEventuallyConsistentResponse(s, gwAddr, expected));
      }
    } finally {
      await cleanup();
    }
  },
};

/**
 * setupEndpointSlices: the `-ip4` slices get the Deployment's pods as endpoints (its pods have no
 * IPv6 address, so the `-ip6` slices stay empty, as the Go test leaves them). In file mode every pod
 * is 127.0.0.1 on a port of its own, so the slice's port (the Service's targetPort 3000) becomes the
 * pod's, and each pod after the first needs a slice of its own (one slice has one port list).
 */
async function setupEndpointSlices(s: ConformanceSuite, endpointPrefixes: readonly string[], ns: string, podPorts: readonly number[]): Promise<() => Promise<void>> {
  const extra: KubeObject[] = [];
  for (const prefix of endpointPrefixes) {
    const name = `${prefix}-ip4`;
    const slice = s.applied('EndpointSlice', ns, name);
    const sliceFor = (port: number): KubeObject => ({
      ...slice,
      endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true, serving: true, terminating: false } }],
      ports: ((slice.ports as Array<Record<string, unknown>> | undefined) ?? []).map((p) => ({ ...p, port })),
    });
    const [first, ...rest] = podPorts;
    await s.update(sliceFor(first!));
    for (const [i, port] of rest.entries()) {
      const more = sliceFor(port);
      extra.push({ ...more, metadata: { name: `${name}-${i + 1}`, namespace: ns, labels: slice.metadata.labels } });
    }
  }
  return extra.length ? s.applyObjects(extra, 'service-types-endpointslices') : async () => {};
}
