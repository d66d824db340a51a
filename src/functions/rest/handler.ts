// The REST function handler (Gloo's REST functions): the client's request becomes the function's
// upstream request through its transformation template and the route's parameters, is sent to
// one of the binding's endpoints, and the answer streams back unchanged.
//   bad template or pattern (configuration)  -> thrown (the call answers 502 naming the function)
//   request the template cannot serve        -> 400, JSON body saying why
//   no endpoint, refused, reset before answer -> 503
import type { FunctionContext, FunctionHandler, FunctionRequest, FunctionResponse, RestCall } from '../types.ts';
import { compiledRestCall } from './compile.ts';
import { buildUpstreamRequest } from './request.ts';
import { sendUpstream, UpstreamUnreachableError } from './send.ts';

function jsonAnswer(status: number, body: Record<string, string>): FunctionResponse {
  const text = Buffer.from(`${JSON.stringify(body)}\n`);
  return { status, headers: { 'content-type': 'application/json', 'content-length': String(text.length) }, body: text };
}

export const restHandler: FunctionHandler<RestCall> = async (call: RestCall, req: FunctionRequest, ctx: FunctionContext): Promise<FunctionResponse> => {
  const compiled = compiledRestCall(call);
  const built = buildUpstreamRequest(compiled, req);
  if (!built.ok) return jsonAnswer(built.status, { error: built.message, function: call.function });
  const to = ctx.pick();
  if (!to) return jsonAnswer(503, { error: 'no healthy upstream endpoint', function: call.function });
  try {
    return await sendUpstream(to, built.request, ctx.signal);
  } catch (err) {
    if (err instanceof UpstreamUnreachableError) {
      return jsonAnswer(503, { error: `upstream unreachable (${err.code})`, function: call.function });
    }
    throw err;
  }
};
