// The JSON error answers a Lambda call gives its client: what went wrong, by a stable code, and
// which function. Lambda's own messages are not passed on: they name accounts and, for signature
// errors, echo the canonical request.
import type { FunctionResponse, LambdaCall } from '../types.ts';

export type LambdaErrorCode =
  | 'function_timeout'
  | 'function_unreachable'
  | 'function_answer_broken'
  | 'function_not_found'
  | 'function_throttled'
  | 'lambda_rejected_credentials'
  | 'lambda_unavailable'
  | 'lambda_error'
  | 'payload_not_json'
  | 'payload_too_large'
  | 'malformed_api_gateway_response';

export interface ErrorDetail {
  readonly message: string;
  /** Lambda's error type (`TooManyRequestsException`) when Lambda answered with one */
  readonly lambdaErrorType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export function jsonError(call: LambdaCall, status: number, error: LambdaErrorCode, detail: ErrorDetail): FunctionResponse {
  const doc: Record<string, string> = { error, function: call.functionName };
  if (call.qualifier) doc.qualifier = call.qualifier;
  if (detail.lambdaErrorType) doc.lambdaErrorType = detail.lambdaErrorType;
  doc.message = detail.message;
  return { status, headers: { 'content-type': 'application/json', ...detail.headers }, body: Buffer.from(JSON.stringify(doc)) };
}
