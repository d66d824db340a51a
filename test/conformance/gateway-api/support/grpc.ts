// conformance/utils/grpc: a GrpcEcho client (grpc-js, plaintext h2c, the request's authority)
// calling Echo, EchoTwo or EchoThree with metadata, and the checks of compareResponse: the status
// code, and for OK the fully qualified method, namespace and pod prefix the backend echoes.
import grpc from '@grpc/grpc-js';
import type { TestContext } from 'node:test';
import { awaitConvergence } from './http.ts';
import { EchoPackage, EchoService, type EchoMethod, type EchoResponse, GrpcEchoDefinition } from './grpc-echo.ts';
import type { ConformanceSuite } from './suite.ts';

export interface GrpcExpectedResponse {
  echoRequest?: object;
  echoTwoRequest?: object;
  echoThreeRequest?: object;
  requestMetadata?: { authority?: string; metadata?: Record<string, string> };
  response?: { code?: number };
  backend?: string;
  namespace?: string;
  testCaseName?: string;
}

/** The codes the tests name (google.golang.org/grpc/codes). */
export const codes = { OK: grpc.status.OK, Unimplemented: grpc.status.UNIMPLEMENTED, NotFound: grpc.status.NOT_FOUND, Unavailable: grpc.status.UNAVAILABLE } as const;

function methodName(e: GrpcExpectedResponse): EchoMethod {
  return e.echoRequest ? 'Echo' : e.echoTwoRequest ? 'EchoTwo' : 'EchoThree';
}

function fullyQualifiedMethod(e: GrpcExpectedResponse): string {
  return `/${EchoPackage}.${EchoService}/${methodName(e)}`;
}

/** GetTestCaseName. */
export function grpcTestCaseName(e: GrpcExpectedResponse, i: number): string {
  if (e.testCaseName) return e.testCaseName;
  const md = e.requestMetadata?.metadata;
  const headers = md && Object.keys(md).length ? ` with headers '{${Object.keys(md).sort().map((k) => `${k}:${md[k]}`).join(',')}}'` : '';
  const req = `${i} request to '${e.requestMetadata?.authority ?? ''}${fullyQualifiedMethod(e)}'${headers}`;
  return e.backend ? `${req} should go to ${e.backend}` : `${req} should receive a ${e.response?.code ?? 0}`;
}

const EchoClient = grpc.makeGenericClientConstructor(GrpcEchoDefinition, EchoService);

/** SendRPC: the status code, and the response when OK. */
export async function sendRPC(s: ConformanceSuite, gwAddr: string, e: GrpcExpectedResponse, timeoutMs: number): Promise<{ code: number; response?: EchoResponse }> {
  const port = Number(gwAddr.slice(gwAddr.lastIndexOf(':') + 1));
  const dial = s.dial(port);
  const authority = e.requestMetadata?.authority || gwAddr;
  const client = new EchoClient(`${dial.host}:${dial.port}`, grpc.credentials.createInsecure(), { 'grpc.default_authority': authority });
  try {
    const md = new grpc.Metadata();
    for (const [k, v] of Object.entries(e.requestMetadata?.metadata ?? {})) md.set(k.toLowerCase(), v);
    const call = (client as unknown as Record<EchoMethod, (req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: EchoResponse) => void) => void>)[methodName(e)];
    return await new Promise((resolve) => {
      call.call(client, {}, md, { deadline: Date.now() + timeoutMs }, (err, res) => {
        if (err) resolve({ code: err.code });
        else resolve({ code: grpc.status.OK, ...(res ? { response: res } : {}) });
      });
    });
  } finally {
    client.close();
  }
}

/** compareResponse. */
function compareResponse(e: GrpcExpectedResponse, r: { code: number; response?: EchoResponse }): string | undefined {
  const want = e.response?.code ?? grpc.status.OK;
  if (want !== r.code) return `expected status code to be ${want}, but got ${r.code}`;
  if (r.code === grpc.status.OK) {
    const a = r.response?.assertions;
    if (fullyQualifiedMethod(e) !== a?.fullyQualifiedMethod) return `expected path to be ${fullyQualifiedMethod(e)}, got ${a?.fullyQualifiedMethod}`;
    if (e.namespace && e.namespace !== a?.context?.namespace) return `expected namespace to be ${e.namespace}, got ${a?.context?.namespace}`;
    if (!(a?.context?.pod ?? '').startsWith(e.backend ?? '')) return `expected pod name to start with ${e.backend}, got ${a?.context?.pod}`;
  }
  return undefined;
}

/** grpc.MakeRequestAndExpectEventuallyConsistentResponse. */
export async function grpcMakeRequestAndExpectEventuallyConsistentResponse(s: ConformanceSuite, gwAddr: string, e: GrpcExpectedResponse): Promise<void> {
  const kinds = [e.echoRequest, e.echoTwoRequest, e.echoThreeRequest].filter((x) => x !== undefined).length;
  if (kinds !== 1) throw new Error(`expected only one request type to be set, but found ${kinds}`);
  await awaitConvergence(s.timeouts.requiredConsecutiveSuccesses, s.timeouts.consistency, async () => {
    try {
      return compareResponse(e, await sendRPC(s, gwAddr, e, s.timeouts.request));
    } catch (err) {
      return `failed to send RPC: ${(err as Error).message}`;
    }
  });
}

export async function runGrpcCases(t: TestContext, s: ConformanceSuite, gwAddr: string, cases: readonly GrpcExpectedResponse[]): Promise<void> {
  for (const [i, tc] of cases.entries()) {
    await t.test(grpcTestCaseName(tc, i), () => grpcMakeRequestAndExpectEventuallyConsistentResponse(s, gwAddr, tc));
  }
}
