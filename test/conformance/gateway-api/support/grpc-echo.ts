// echo-basic with GRPC_ECHO_SERVER set (conformance/echo-basic/grpc): the service
// `gateway_api_conformance.echo_basic.grpcecho.GrpcEcho` over h2c, whose Echo and EchoTwo answer
// with what reached the server (fully qualified method, metadata, :authority) and the pod's
// identity; EchoThree is left unimplemented. The messages are described here as a protobufjs JSON
// descriptor with the suite's field numbers, so the client side (grpc.ts) speaks the same wire format.
import grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';

export const EchoPackage = 'gateway_api_conformance.echo_basic.grpcecho';
export const EchoService = 'GrpcEcho';

const root = protobuf.Root.fromJSON({
  nested: {
    gateway_api_conformance: { nested: { echo_basic: { nested: { grpcecho: { nested: {
      Header: { fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
      Context: { fields: { namespace: { type: 'string', id: 1 }, ingress: { type: 'string', id: 2 }, serviceName: { type: 'string', id: 3 }, pod: { type: 'string', id: 4 } } },
      Assertions: {
        fields: {
          fullyQualifiedMethod: { type: 'string', id: 1 },
          headers: { rule: 'repeated', type: 'Header', id: 2 },
          authority: { type: 'string', id: 3 },
          context: { type: 'Context', id: 4 },
        },
      },
      EchoRequest: { fields: {} },
      EchoResponse: { fields: { assertions: { type: 'Assertions', id: 1 }, request: { type: 'EchoRequest', id: 2 } } },
    } } } } } },
  },
});

const EchoRequestType = root.lookupType(`${EchoPackage}.EchoRequest`);
const EchoResponseType = root.lookupType(`${EchoPackage}.EchoResponse`);

export interface EchoResponse {
  assertions?: {
    fullyQualifiedMethod?: string;
    headers?: Array<{ key?: string; value?: string }>;
    authority?: string;
    context?: { namespace?: string; ingress?: string; serviceName?: string; pod?: string };
  };
}

export type EchoMethod = 'Echo' | 'EchoTwo' | 'EchoThree';

function method(name: EchoMethod): grpc.MethodDefinition<object, EchoResponse> {
  return {
    path: `/${EchoPackage}.${EchoService}/${name}`,
    requestStream: false,
    responseStream: false,
    requestSerialize: (m: object) => Buffer.from(EchoRequestType.encode(EchoRequestType.fromObject(m)).finish()),
    requestDeserialize: (b: Buffer) => EchoRequestType.toObject(EchoRequestType.decode(b)),
    responseSerialize: (m: EchoResponse) => Buffer.from(EchoResponseType.encode(EchoResponseType.fromObject(m)).finish()),
    responseDeserialize: (b: Buffer) => EchoResponseType.toObject(EchoResponseType.decode(b), { defaults: true }) as EchoResponse,
  };
}

export const GrpcEchoDefinition = { Echo: method('Echo'), EchoTwo: method('EchoTwo'), EchoThree: method('EchoThree') } satisfies grpc.ServiceDefinition;

export interface GrpcEchoBackend {
  readonly port: number;
  readonly identity: { readonly namespace: string; readonly pod: string };
  close(): Promise<void>;
}

export async function startGrpcEchoBackend(identity: { namespace: string; pod: string }): Promise<GrpcEchoBackend> {
  const server = new grpc.Server();
  const echo = (name: EchoMethod): grpc.handleUnaryCall<object, EchoResponse> => (call, callback) => {
    const headers: Array<{ key: string; value: string }> = [];
    let authority = '';
    for (const [k, vs] of Object.entries(call.metadata.getMap())) {
      for (const v of Array.isArray(vs) ? vs : [vs]) headers.push({ key: k, value: String(v) });
    }
    // grpc-js keeps :authority out of the metadata map; the call's host is what arrived.
    authority = call.getHost();
    headers.push({ key: ':authority', value: authority });
    callback(null, { assertions: { fullyQualifiedMethod: `/${EchoPackage}.${EchoService}/${name}`, headers, authority, context: { namespace: identity.namespace, pod: identity.pod } } });
  };
  server.addService(GrpcEchoDefinition, {
    Echo: echo('Echo'),
    EchoTwo: echo('EchoTwo'),
    EchoThree: (_call: unknown, callback: grpc.sendUnaryData<EchoResponse>) => callback({ code: grpc.status.UNIMPLEMENTED, details: 'method EchoThree not implemented' }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    port,
    identity,
    close: () => new Promise<void>((resolve) => {
      server.forceShutdown();
      resolve();
    }),
  };
}
