// Builds the signed HTTP request of one Lambda `Invoke` (POST /2015-03-31/functions/{name}/invocations).
// Signing is the AWS SDK's own SigV4 signer, never a hand-written one.
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { LambdaCall } from '../types.ts';

export interface InvokeRequest {
  /** the endpoint: protocol, host and port to connect to */
  readonly origin: URL;
  /** path and query as sent on the wire */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

const API_PATH = '/2015-03-31/functions';

/** `https://lambda.<region>.amazonaws.com` unless the call names another (Lambda-compatible) endpoint. */
export function endpointOf(call: LambdaCall): URL {
  // the region is part of a host name and of the signature's scope: a name, nothing else
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(call.region)) throw new Error(`Lambda region ${JSON.stringify(call.region)} is not a region name (like us-east-1)`);
  const url = new URL(call.endpoint ?? `https://lambda.${call.region}.amazonaws.com`);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`Lambda endpoint ${url.href} is not http(s)`);
  return url;
}

/**
 * The request Invoke needs: the function name (an ARN has colons) and the qualifier percent-encoded
 * as the AWS SDKs do, so the signer's canonical (double-encoded) path is the one AWS computes.
 */
export async function buildInvokeRequest(call: LambdaCall, payload: Buffer, signingDate: Date): Promise<InvokeRequest> {
  const origin = endpointOf(call);
  const base = origin.pathname.replace(/\/+$/, '');
  const path = `${base}${API_PATH}/${awsEncode(call.functionName)}/invocations`;
  const query: Record<string, string> = call.qualifier ? { Qualifier: call.qualifier } : {};
  const headers: Record<string, string> = {
    host: origin.host,
    'content-type': 'application/json',
    'x-amz-invocation-type': call.invocation === 'async' ? 'Event' : 'RequestResponse',
    // as Gloo: no log tail in the answer, it is not the client's to see
    'x-amz-log-type': 'None',
  };
  const signer = new SignatureV4({ service: 'lambda', region: call.region, credentials: call.credentials, sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign(
    { method: 'POST', protocol: origin.protocol, hostname: origin.hostname, path, query, headers, body: payload },
    { signingDate },
  );
  const wirePath = call.qualifier ? `${path}?Qualifier=${awsEncode(call.qualifier)}` : path;
  return { origin, path: wirePath, headers: { ...(signed.headers as Record<string, string>), 'content-length': String(payload.length) }, body: payload };
}

/** RFC 3986 encoding (encodeURIComponent leaves `!'()*` bare), as AWS SDKs encode path labels. */
export function awsEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
