// AWS Lambda functions as route backends, as Gloo's and Envoy's aws_lambda filters call them:
// the request (its body, or an API Gateway proxy event) is the payload of a SigV4-signed Invoke;
// the function's result (as it is, or unwrapped from an API Gateway proxy response) is the answer.
import type { FunctionHandler, LambdaCall } from '../types.ts';
import { answerOf } from './answer.ts';
import { toApiGatewayEvent } from './api-gateway.ts';
import { buildInvokeRequest } from './request.ts';
import { sendInvoke } from './send.ts';

export interface LambdaHandlerOptions {
  /** bound on one call, the route's own timeout aside (API Gateway's is 29 s) */
  readonly timeoutMs?: number;
  /** bound on the answer read (Lambda's own limit on a sync answer is 6 MB) */
  readonly maxAnswerBytes?: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_ANSWER_BYTES = 16 * 1024 * 1024;

export function createLambdaHandler(opts: LambdaHandlerOptions = {}): FunctionHandler<LambdaCall> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxAnswerBytes = opts.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
  return async (call, req, ctx) => {
    ctx.signal.throwIfAborted();
    const payload = call.wrapAsApiGateway ? Buffer.from(JSON.stringify(toApiGatewayEvent(req))) : req.body;
    const request = await buildInvokeRequest(call, payload, new Date());
    const outcome = await sendInvoke(request, { signal: ctx.signal, timeoutMs, maxAnswerBytes });
    return answerOf(call, outcome);
  };
}

export const lambdaHandler: FunctionHandler<LambdaCall> = createLambdaHandler();
