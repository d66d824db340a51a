// conformance/utils/tls: HTTPS requests to a Gateway listener, trusting the listener's
// certificate, sending `serverName` as SNI, and presenting a client certificate when given one.
import { type ExpectedResponse, captureRoundTrip, makeRequest, type RoundTripRequest, waitForConsistentResponse } from './http.ts';
import type { ConformanceSuite } from './suite.ts';

function tlsRequest(expected: ExpectedResponse, gwAddr: string, serverCertificate: string, clientCertificate: string | undefined, clientCertificateKey: string | undefined, serverName: string): RoundTripRequest {
  const client = clientCertificate !== undefined && clientCertificateKey !== undefined ? { cert: clientCertificate, key: clientCertificateKey } : {};
  return { ...makeRequest(expected, gwAddr, 'HTTPS', 'https'), serverName, ca: serverCertificate, ...client };
}

/** MakeTLSRequestAndExpectEventuallyConsistentResponse. */
export async function makeTLSRequestAndExpectEventuallyConsistentResponse(
  s: ConformanceSuite,
  gwAddr: string,
  serverCertificate: string,
  clientCertificate: string | undefined,
  clientCertificateKey: string | undefined,
  serverName: string,
  expected: ExpectedResponse,
): Promise<void> {
  const req = tlsRequest(expected, gwAddr, serverCertificate, clientCertificate, clientCertificateKey, serverName);
  await waitForConsistentResponse(s, req, expected, s.timeouts.requiredConsecutiveSuccesses, s.timeouts.consistency);
}

/**
 * MakeTLSRequestAndExpectFailureResponse: the request must fail (no answer at all). The Go test
 * also checks that the server asked for the client certificate (a GetClientCertificate hook);
 * Node's TLS client has no such hook, so that check is left out.
 */
export async function makeTLSRequestAndExpectFailureResponse(
  s: ConformanceSuite,
  gwAddr: string,
  serverCertificate: string,
  clientCertificate: string | undefined,
  clientCertificateKey: string | undefined,
  serverName: string,
  expected: ExpectedResponse,
): Promise<void> {
  const req = tlsRequest(expected, gwAddr, serverCertificate, clientCertificate, clientCertificateKey, serverName);
  let answered = false;
  try {
    await captureRoundTrip(s, req);
    answered = true;
  } catch {
    // expected
  }
  if (answered) throw new Error('Request should fail');
}
