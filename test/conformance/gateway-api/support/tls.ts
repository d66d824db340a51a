// conformance/utils/tls: HTTPS requests to a Gateway listener, trusting the listener's
// certificate and sending `serverName` as SNI.
import { type ExpectedResponse, captureRoundTrip, makeRequest, waitForConsistentResponse } from './http.ts';
import type { ConformanceSuite } from './suite.ts';

/** MakeTLSRequestAndExpectEventuallyConsistentResponse (no client certificate). */
export async function makeTLSRequestAndExpectEventuallyConsistentResponse(s: ConformanceSuite, gwAddr: string, serverCertificate: string, serverName: string, expected: ExpectedResponse): Promise<void> {
  const req = { ...makeRequest(expected, gwAddr, 'HTTPS', 'https'), serverName, ca: serverCertificate };
  await waitForConsistentResponse(s, req, expected, s.timeouts.requiredConsecutiveSuccesses, s.timeouts.consistency);
}

/** MakeTLSRequestAndExpectFailureResponse: the request must fail (no answer at all). */
export async function makeTLSRequestAndExpectFailureResponse(s: ConformanceSuite, gwAddr: string, serverCertificate: string, serverName: string, expected: ExpectedResponse): Promise<void> {
  const req = { ...makeRequest(expected, gwAddr, 'HTTPS', 'https'), serverName, ca: serverCertificate };
  let answered = false;
  try {
    await captureRoundTrip(s, req);
    answered = true;
  } catch {
    // expected
  }
  if (answered) throw new Error('Request should fail');
}
