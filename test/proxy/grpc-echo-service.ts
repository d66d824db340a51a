// The test/fixtures/grpc/echo.proto service: a real @grpc/grpc-js server per backend name, and a
// client constructor. `fail` in a unary call answers INVALID_ARGUMENT; `hang` in a server stream
// sends one message then waits until the call is cancelled (recorded in `cancelled`).
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';

export interface Msg { text?: string; count?: number; backend?: string }

const protoPath = fileURLToPath(new URL('../fixtures/grpc/echo.proto', import.meta.url));
const definition = protoLoader.loadSync(protoPath, { keepCase: true, defaults: true });
const pkg = grpc.loadPackageDefinition(definition) as unknown as { sluice: { test: { Echo: grpc.ServiceClientConstructor } } };
export const EchoClient = pkg.sluice.test.Echo;

export interface EchoBackend {
  readonly name: string;
  readonly port: number;
  /** server-side calls that saw a cancellation */
  cancelled: number;
  calls: number;
  close(): Promise<void>;
}

export async function startGrpcEcho(name: string): Promise<EchoBackend> {
  const server = new grpc.Server();
  const backend = { name, port: 0, cancelled: 0, calls: 0, close: () => new Promise<void>((r) => server.tryShutdown(() => r())) };
  server.addService(EchoClient.service, {
    Unary: (call: grpc.ServerUnaryCall<Msg, Msg>, done: grpc.sendUnaryData<Msg>) => {
      backend.calls++;
      if (call.request.text === 'fail') {
        const md = new grpc.Metadata();
        md.set('x-backend', name);
        done({ code: grpc.status.INVALID_ARGUMENT, details: 'bad input: ünïcode % ok', metadata: md });
        return;
      }
      const trailer = new grpc.Metadata();
      trailer.set('x-trailer', `from-${name}`);
      done(null, { text: call.request.text, backend: name }, trailer);
    },
    ServerStream: (call: grpc.ServerWritableStream<Msg, Msg>) => {
      backend.calls++;
      call.on('cancelled', () => backend.cancelled++);
      if (call.request.text === 'hang') {
        call.write({ text: 'first', backend: name });
        return;
      }
      for (let i = 0; i < (call.request.count ?? 0); i++) call.write({ text: `${call.request.text}-${i}`, count: i, backend: name });
      call.end();
    },
    ClientStream: (call: grpc.ServerReadableStream<Msg, Msg>, done: grpc.sendUnaryData<Msg>) => {
      backend.calls++;
      const texts: string[] = [];
      call.on('data', (m: Msg) => texts.push(m.text ?? ''));
      call.on('end', () => done(null, { text: texts.join(','), count: texts.length, backend: name }));
    },
    Bidi: (call: grpc.ServerDuplexStream<Msg, Msg>) => {
      backend.calls++;
      call.on('cancelled', () => backend.cancelled++);
      call.on('data', (m: Msg) => call.write({ text: `echo:${m.text}`, backend: name }));
      call.on('end', () => call.end());
    },
  });
  backend.port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return backend;
}

/** The generated client's methods, looked up by name; callers cast what they return. */
type EchoMethods = Record<string, (...args: unknown[]) => unknown>;

/** A client that dials `addr` and sends `authority` as :authority (the ingress host). */
export function echoClient(addr: string, authority: string, creds = grpc.credentials.createInsecure(), options: grpc.ClientOptions = {}): grpc.Client & EchoMethods {
  return new EchoClient(addr, creds, { 'grpc.default_authority': authority, ...options }) as unknown as grpc.Client & EchoMethods;
}

export function unary(client: grpc.Client & EchoMethods, msg: Msg, timeoutMs = 10_000): Promise<{ reply: Msg; trailers: grpc.Metadata }> {
  return new Promise((resolve, reject) => {
    let reply: Msg | undefined;
    let error: grpc.ServiceError | null = null;
    const call = client.Unary(msg, { deadline: Date.now() + timeoutMs }, (err: grpc.ServiceError | null, r: Msg) => {
      error = err;
      reply = r;
    }) as grpc.ClientUnaryCall;
    // 'status' comes after the callback; it carries the trailers.
    call.on('status', (s: grpc.StatusObject) => setImmediate(() => (error ? reject(error) : resolve({ reply: reply!, trailers: s.metadata }))));
  });
}
