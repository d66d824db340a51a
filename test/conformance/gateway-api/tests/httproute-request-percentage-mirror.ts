// conformance/tests/httproute-request-percentage-mirror.go
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { type ExpectedResponse, makeRequestAndExpectEventuallyConsistentResponse, testCaseName } from '../support/http.ts';
import { addRequestIDQueryParam } from '../support/mirror.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';
import type { ConformanceSuite } from '../support/suite.ts';

const concurrentRequests = 10;
// The acceptance band's half-width in binomial standard deviations (3 sigma: a conforming run
// fails one check in ~370).
const toleranceStdDevs = 3.0;
const totalRequests = 500;
const numDistributionChecks = 5;

export const HTTPRouteRequestPercentageMirror: ConformanceTest = {
  shortName: 'HTTPRouteRequestPercentageMirror',
  description: 'An HTTPRoute with percentage based request mirroring',
  features: ['Gateway', 'HTTPRoute', 'HTTPRouteRequestPercentageMirror'],
  manifests: ['tests/httproute-request-percentage-mirror.yaml'],
  provisional: true,
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = { name: 'request-percentage-mirror', namespace: ns };
    const gwNN = { name: 'same-namespace', namespace: ns };
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);

    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    const testCases: ExpectedResponse[] = [
      {
        request: { path: '/percent-mirror' },
        namespace: ns,
        expectedRequest: { request: { path: '/percent-mirror' } },
        backend: 'infra-backend-v1',
        mirroredTo: [{ name: 'infra-backend-v2', namespace: ns, percent: 20 }],
      },
      {
        request: { path: '/percent-mirror-fraction' },
        namespace: ns,
        expectedRequest: { request: { path: '/percent-mirror-fraction' } },
        backend: 'infra-backend-v1',
        mirroredTo: [{ name: 'infra-backend-v2', namespace: ns, percent: 50 }],
      },
      {
        request: {
          path: '/percent-mirror-and-modify-headers',
          headers: {
            'X-Header-Remove': 'remove-val',
            'X-Header-Add-Append': 'append-val-1',
          },
        },
        expectedRequest: {
          request: {
            path: '/percent-mirror-and-modify-headers',
            headers: {
              'X-Header-Add': 'header-val-1',
              'X-Header-Add-Append': 'append-val-1,header-val-2',
              'X-Header-Set': 'set-overwrites-values',
            },
          },
          absentHeaders: ['X-Header-Remove'],
        },
        namespace: ns,
        backend: 'infra-backend-v1',
        mirroredTo: [{ name: 'infra-backend-v2', namespace: ns, percent: 35 }],
      },
    ];

    for (const [i, expected] of testCases.entries()) {
      await t.test(testCaseName(expected, i), async (t) => {
        // Assert request succeeds before doing our distribution check
        await makeRequestAndExpectEventuallyConsistentResponse(s, gwAddr, structuredClone(expected));

        // Override to not have more requests than expected
        const dedicated = { ...s.timeouts, requiredConsecutiveSuccesses: 1 };
        for (let k = 0; k < numDistributionChecks; k++) {
          addRequestIDQueryParam(expected);
          let next = 0;
          const worker = async (): Promise<void> => {
            while (next < totalRequests) {
              next++;
              await makeRequestAndExpectEventuallyConsistentResponse(s, gwAddr, structuredClone(expected), dedicated);
            }
          };
          await Promise.all(Array.from({ length: concurrentRequests }, worker));
          const err = testMirroredRequestsDistribution(s, expected);
          if (err === undefined) return;
          t.diagnostic(`Traffic distribution test failed (${k + 1}/${numDistributionChecks}): ${err}`);
        }
        throw new Error('Percentage based mirror distribution tests failed');
      });
    }
  },
};

/** How many of the test's requests (by their unique path) each mirror backend's pods served, against its percent. */
function testMirroredRequestsDistribution(s: ConformanceSuite, expected: ExpectedResponse): string | undefined {
  const errs: string[] = [];
  for (const [i, m] of (expected.mirroredTo ?? []).entries()) {
    if (!m.name) throw new Error(`Mirrored BackendRef[${i}].Name wasn't provided in the testcase, this test should only check http request mirror.`);
    const actual = s
      .pods(`${m.namespace}/${m.name}`)
      .flatMap((p) => (p.kind === 'echo' ? p.backend.seen : []))
      .filter((r) => r.path === expected.request.path).length;
    const p = (m.percent ?? 100) / 100;
    const want = totalRequests * p;
    const margin = toleranceStdDevs * Math.sqrt(totalRequests * p * (1 - p));
    if (actual < want - margin || actual > want + margin) {
      errs.push(`pod ${m.name} did not meet the mirroring percentage within tolerance. Expected between ${want - margin} and ${want + margin}, but got ${actual}`);
    }
  }
  return errs.length ? errs.join('\n') : undefined;
}
