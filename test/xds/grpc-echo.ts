// A one-method gRPC service without a .proto: bytes in, bytes out. Each test backend answers
// with its own name, so a client can count where its calls went.
import * as grpc from '@grpc/grpc-js';

const identity = (b: Buffer) => b;

export const echoService: grpc.ServiceDefinition = {
  Hello: {
    path: '/sluice.test.Echo/Hello',
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

/** Starts a backend on 127.0.0.1 (port 0) that answers every call with `name`. */
export async function startEchoBackend(name: string): Promise<{ port: number; close(): Promise<void> }> {
  const server = new grpc.Server();
  server.addService(echoService, {
    Hello: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => done(null, Buffer.from(name)),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    port,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
