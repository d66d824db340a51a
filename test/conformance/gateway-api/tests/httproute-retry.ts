// conformance/tests/httproute-retry.go
import { randomUUID } from 'node:crypto';
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { awaitConvergence, captureRoundTrip, compareRoundTrip, type ExpectedResponse, makeRequest, type Response } from '../support/http.ts';
import { gatewayAndHTTPRoutesMustBeAccepted, httpRouteMustHaveResolvedRefsConditionsTrue } from '../support/status.ts';
import type { ConformanceSuite } from '../support/suite.ts';

interface Args {
  path: string;
  retrySimulationConfig: Record<string, string>;
}

export const HTTPRouteRetry: ConformanceTest = {
  shortName: 'HTTPRouteRetry',
  description:
    'An HTTPRoute that has a Retry policy configured should retry failed requests according to the specified codes and attempt limits, returning a successful response when the backend recovers within the retry budget and surfacing the original error when it does not.',
  features: ['Gateway', 'HTTPRoute', 'HTTPRouteRetry'],
  manifests: ['tests/httproute-retry.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = { name: 'retries', namespace: ns };
    const gwNN = { name: 'same-namespace', namespace: ns };
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);
    await httpRouteMustHaveResolvedRefsConditionsTrue(s, routeNN, gwNN);

    const testCases: Array<{ name: string; args: Args; want: Response }> = [
      {
        name: 'succeeds after 2 retries when retry is configured for status code 500 and max attempts is 3',
        args: { path: '/retry/code-500-attempts-3', retrySimulationConfig: { responseCode: '500', succeedAfter: '2' } },
        want: { statusCode: 200 },
      },
      {
        name: 'fails when required retries on 500 exceed max attempts',
        args: { path: '/retry/code-500-attempts-3', retrySimulationConfig: { responseCode: '500', succeedAfter: '4' } },
        want: { statusCode: 500 },
      },
      {
        name: 'does not retry on 503 when retry is only configured for status code 500',
        args: { path: '/retry/code-500-attempts-3', retrySimulationConfig: { responseCode: '503', succeedAfter: '2' } },
        want: { statusCode: 503 },
      },
      {
        name: 'succeeds after 1 retry on 500 when retry is configured for all status code and max attempts is 2',
        args: { path: '/retry/code-all-attempts-2', retrySimulationConfig: { responseCode: '500', succeedAfter: '1' } },
        want: { statusCode: 200 },
      },
      {
        name: 'fails when required retries on 500 exceed max attempts',
        args: { path: '/retry/code-all-attempts-2', retrySimulationConfig: { responseCode: '500', succeedAfter: '3' } },
        want: { statusCode: 500 },
      },
      {
        name: 'succeeds after 1 retry on 502 when retry is configured for all status code and max attempts is 2',
        args: { path: '/retry/code-all-attempts-2', retrySimulationConfig: { responseCode: '502', succeedAfter: '1' } },
        want: { statusCode: 200 },
      },
      {
        name: 'fails when required retries on 502 exceed max attempts',
        args: { path: '/retry/code-all-attempts-2', retrySimulationConfig: { responseCode: '502', succeedAfter: '3' } },
        want: { statusCode: 502 },
      },
      {
        name: 'succeeds after 1 retry on 503 when retry is configured for all status code and max attempts is 2',
        args: { path: '/retry/code-all-attempts-2', retrySimulationConfig: { responseCode: '503', succeedAfter: '1' } },
        want: { statusCode: 200 },
      },
      {
        name: 'fails when required retries on 503 exceed max attempts',
        args: { path: '/retry/code-all-attempts-2', retrySimulationConfig: { responseCode: '503', succeedAfter: '3' } },
        want: { statusCode: 503 },
      },
      {
        name: 'succeeds after 1 retry on 504 when retry is configured for all status code and max attempts is 2',
        args: { path: '/retry/code-all-attempts-2', retrySimulationConfig: { responseCode: '504', succeedAfter: '1' } },
        want: { statusCode: 200 },
      },
      {
        name: 'fails when required retries on 504 exceed max attempts',
        args: { path: '/retry/code-all-attempts-2', retrySimulationConfig: { responseCode: '504', succeedAfter: '3' } },
        want: { statusCode: 504 },
      },
    ];
    for (const [i, tc] of testCases.entries()) {
      await t.test(`${i} request to '${tc.args.path}' ${tc.name}`, () => assertConsistentRetryBehaviour(s, gwAddr, ns, tc.args.path, tc.args.retrySimulationConfig, tc.want));
    }
  },
};

async function assertConsistentRetryBehaviour(s: ConformanceSuite, gwAddr: string, ns: string, path: string, values: Record<string, string>, response: Response): Promise<void> {
  await awaitConvergence(s.timeouts.requiredConsecutiveSuccesses, s.timeouts.consistency, async () => {
    // a fresh uuid on each probe: the echo backend's retry simulation counts attempts per uuid
    const query = new URLSearchParams({ ...values, uuid: randomUUID() });
    query.sort();
    const expectedResponse: ExpectedResponse = {
      request: { path: `${path}?${query.toString()}` },
      response,
      backend: 'infra-backend-v3',
      namespace: ns,
    };
    const req = makeRequest(expectedResponse, gwAddr, 'HTTP', 'http');
    let rt: Awaited<ReturnType<typeof captureRoundTrip>>;
    try {
      rt = await captureRoundTrip(s, req);
    } catch (err) {
      return `Request failed, not ready yet: ${(err as Error).message}`;
    }
    return compareRoundTrip(req, rt.cReq, rt.cRes, expectedResponse);
  });
}
