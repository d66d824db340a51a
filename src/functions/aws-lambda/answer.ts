// What the client gets for Lambda's answer to an Invoke. Pure: an outcome in, a response out.
import type { FunctionResponse, LambdaCall } from '../types.ts';
import { fromApiGatewayResult } from './api-gateway.ts';
import { jsonError } from './reply.ts';
import type { InvokeOutcome } from './send.ts';

export function answerOf(call: LambdaCall, outcome: InvokeOutcome): FunctionResponse {
  switch (outcome.kind) {
    case 'timeout':
      return jsonError(call, 504, 'function_timeout', { message: 'the function did not answer in time' });
    case 'unreachable':
      return jsonError(call, 503, 'function_unreachable', { message: 'the Lambda endpoint could not be reached' });
    case 'broken':
      return jsonError(call, 502, 'function_answer_broken', { message: `Lambda's answer could not be read: ${outcome.detail}` });
    case 'answer':
      return outcome.status >= 200 && outcome.status < 300 ? resultOf(call, outcome.headers, outcome.body) : failureOf(call, outcome.status, outcome.headers);
  }
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

function resultOf(call: LambdaCall, headers: Headers, body: Buffer): FunctionResponse {
  // Event: queued, nothing to give back (Lambda itself answers 202 with no body)
  if (call.invocation === 'async') return { status: 202, headers: {}, body: Buffer.alloc(0) };
  const functionError = one(headers['x-amz-function-error']);
  if (functionError !== undefined) {
    // As Gloo's aws_lambda filter: a function error is an upstream error, status 504, and the
    // function's error document is the body (never unwrapped: it is not a proxy result).
    return { status: 504, headers: { 'content-type': 'application/json', 'x-amz-function-error': functionError }, body };
  }
  if (call.unwrapAsApiGateway) {
    const unwrapped = fromApiGatewayResult(body);
    return unwrapped.ok ? unwrapped.response : jsonError(call, 502, 'malformed_api_gateway_response', { message: `the function's result is not an API Gateway proxy response: ${unwrapped.reason}` });
  }
  return { status: 200, headers: { 'content-type': 'application/json' }, body };
}

/**
 * Lambda refused the call. What the client could change keeps its status (a body that is not
 * JSON, too large, throttling); what only the gateway's configuration could (credentials, a
 * missing function or qualifier) is a 502.
 */
function failureOf(call: LambdaCall, status: number, headers: Headers): FunctionResponse {
  const lambdaErrorType = /^[A-Za-z]+/.exec(one(headers['x-amzn-errortype']) ?? '')?.[0];
  const retryAfter = one(headers['retry-after']);
  const retry = retryAfter && /^\d+$/.test(retryAfter) ? { 'retry-after': retryAfter } : undefined;
  const d = (message: string, h?: Record<string, string>) => ({ message, ...(lambdaErrorType ? { lambdaErrorType } : {}), ...(h ? { headers: h } : {}) });
  if (status === 429) return jsonError(call, 429, 'function_throttled', d('Lambda is throttling the function; retry later', retry));
  if (status === 413 || lambdaErrorType === 'RequestTooLargeException') return jsonError(call, 413, 'payload_too_large', d('the request is larger than Lambda accepts'));
  if (lambdaErrorType === 'InvalidRequestContentException') return jsonError(call, 400, 'payload_not_json', d('the function takes a JSON payload and the request body is not JSON'));
  if (status === 401 || status === 403) return jsonError(call, 502, 'lambda_rejected_credentials', d("Lambda refused the gateway's credentials or signature"));
  if (status === 404) return jsonError(call, 502, 'function_not_found', d('Lambda has no such function or qualifier'));
  if (status === 503) return jsonError(call, 503, 'lambda_unavailable', d('Lambda is unavailable', retry));
  return jsonError(call, 502, 'lambda_error', d(`Lambda answered ${status}`));
}

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
