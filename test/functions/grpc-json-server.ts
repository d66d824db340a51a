// A bookstore gRPC server (grpc-js) for the transcoding tests, with server reflection serving the
// fixture's descriptors, google.api.http options included.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { encodeRpcStatus } from '../../src/functions/grpc-json/status.ts';
import { PROTO_DIR, encodedFiles } from './grpc-json-fixture.ts';

type Obj = Record<string, unknown>;
type Unary = (call: grpc.ServerUnaryCall<Obj, Obj>, cb: grpc.sendUnaryData<Obj>) => void;

export interface BookstoreServer {
  readonly port: number;
  /** metadata of the last call, for checking what the transcoder forwarded */
  readonly lastMetadata: () => grpc.Metadata | undefined;
  /** resolves when an endless stream (ListBooks on shelf 99) is cancelled by its client */
  readonly endlessCancelled: Promise<void>;
  close(): Promise<void>;
}

function notFound(what: string): grpc.ServiceError {
  const md = new grpc.Metadata();
  const detail = { typeUrl: 'type.googleapis.com/bookstore.Shelf', value: Buffer.from([0x08, 0x2a]) }; // Shelf{id: 42}
  md.set('grpc-status-details-bin', encodeRpcStatus(grpc.status.NOT_FOUND, `${what} is on no floor`, [detail]));
  return Object.assign(new Error(`${what} not found`), { code: grpc.status.NOT_FOUND, details: `${what} not found`, metadata: md });
}

/** Starts the server on 127.0.0.1, port 0; `reflection: 'v1alpha'` serves only the older reflection API. */
export async function startBookstore(opts: { reflection?: 'both' | 'v1alpha' | 'none'; tls?: { cert: string; key: string } } = {}): Promise<BookstoreServer> {
  const def = protoLoader.loadSync('bookstore/bookstore.proto', { includeDirs: [PROTO_DIR], keepCase: true, longs: String, enums: String, defaults: false, oneofs: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { bookstore: { Bookstore: grpc.ServiceClientConstructor } };
  let last: grpc.Metadata | undefined;
  let cancelled: () => void = () => {};
  const endlessCancelled = new Promise<void>((r) => {
    cancelled = r;
  });
  const unary =
    (fn: (req: Obj, md: grpc.Metadata) => Obj): Unary =>
    (call, cb) => {
      last = call.metadata;
      try {
        const md = new grpc.Metadata();
        md.set('x-served-by', 'bookstore');
        call.sendMetadata(md);
        cb(null, fn(call.request, call.metadata));
      } catch (err) {
        cb(err as grpc.ServiceError);
      }
    };
  const server = new grpc.Server();
  server.addService(pkg.bookstore.Bookstore.service, {
    ListShelves: unary(() => ({ shelves: [{ id: '1', theme: 'fiction' }, { id: '2', theme: 'history' }] })),
    CreateShelf: unary((req) => ({ ...(req.shelf as Obj), id: (req.shelf as Obj | undefined)?.id ?? '100' })),
    GetShelf: unary((req, md) => {
      if (req.shelf === '404') throw notFound(`shelf ${req.shelf}`);
      if (req.shelf === '500') throw Object.assign(new Error('boom'), { code: grpc.status.INTERNAL, details: 'boom 100% broken' });
      return { id: req.shelf, theme: String(md.get('x-theme')[0] ?? 'plain'), created_at: { seconds: '1700000000', nanos: 5_000_000 } };
    }),
    DeleteShelf: unary(() => ({})),
    CreateBook: unary((req) => ({ ...(req.book as Obj), id: '7', author: `shelf ${req.shelf}` })),
    GetBook: unary((req) => ({ id: req.book, title: `book ${req.book} of ${req.name || 'any shelf'}` })),
    UpdateBook: unary((req) => ({ ...(req.book as Obj), author: `shelf ${req.shelf}` })),
    ArchiveShelf: unary((req) => ({ id: req.shelf, theme: `archived: ${req.reason} (notify ${req.notify ?? false})` })),
    GetBookTitle: unary((req) => ({ id: req.book, title: `Title ${req.book}`, author: 'someone' })),
    Search: unary((req) => ({ path: req.path, q: req.q })),
    Ping: unary((req) => ({ text: `pong ${req.text}` })),
    AddBooks: (call: grpc.ServerReadableStream<Obj, Obj>, cb: grpc.sendUnaryData<Obj>) => {
      const titles: string[] = [];
      call.on('data', (req: Obj) => titles.push(`${req.shelf}:${(req.book as Obj | undefined)?.title ?? ''}`));
      call.on('end', () => cb(null, { count: String(titles.length), titles }));
    },
    UploadCover: unary((req) => {
      const cover = (req.cover ?? {}) as { content_type?: string; data?: Buffer };
      return { content_type: `${cover.content_type ?? 'none'}; shelf=${req.shelf}`, data: Buffer.concat([Buffer.from('got:'), cover.data ?? Buffer.alloc(0)]) };
    }),
    StreamCover: (call: grpc.ServerWritableStream<Obj, Obj>) => {
      for (const part of ['<svg>', `book ${call.request.book}`, '</svg>']) call.write({ content_type: 'image/svg+xml', data: Buffer.from(part) });
      call.end();
    },
    ListBooks: (call: grpc.ServerWritableStream<Obj, Obj>) => {
      last = call.metadata;
      const req = call.request;
      if (req.shelf === '0') return void call.emit('error', Object.assign(new Error('no shelf 0'), { code: grpc.status.NOT_FOUND, details: 'no shelf 0' }));
      if (req.shelf === '99') {
        const timer = setInterval(() => call.write({ id: '99', title: 'again' }), 20);
        call.on('cancelled', () => {
          clearInterval(timer);
          cancelled();
        });
        return;
      }
      const n = Number(req.limit ?? 3);
      for (let i = 1; i <= n; i++) call.write({ id: String(i), title: `book ${i}`, genre: req.genre ?? 'FICTION', tags: req.tags ?? [], author: (req.filter as Obj | undefined)?.author ?? '' });
      if (req.shelf === '13') return void call.emit('error', Object.assign(new Error('unlucky'), { code: grpc.status.DATA_LOSS, details: 'unlucky' }));
      call.end();
    },
  });
  if (opts.reflection !== 'none') addReflection(server, opts.reflection ?? 'both');
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      '127.0.0.1:0',
      opts.tls ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(opts.tls.cert), private_key: Buffer.from(opts.tls.key) }], false) : grpc.ServerCredentials.createInsecure(),
      (err, p) => (err ? reject(err) : resolve(p)),
    ),
  );
  return {
    port,
    lastMetadata: () => last,
    endlessCancelled,
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}

interface ReflectionImpl {
  files: Record<string, unknown>;
  fileEncodings: Map<unknown, Uint8Array>;
  addToServer(server: grpc.Server): void;
}

// @grpc/reflection re-encodes descriptors through protobufjs, which drops the google.api.http
// option; hand it the fixture's files and serve their original bytes.
function addReflection(server: grpc.Server, which: 'both' | 'v1alpha'): void {
  const files = encodedFiles();
  const reflection = new ReflectionService({ bookstore: { fileDescriptorProtos: [...files.values()] } } as never) as unknown as { v1: ReflectionImpl; v1Alpha: ReflectionImpl };
  for (const impl of [reflection.v1, reflection.v1Alpha]) {
    for (const [name, decoded] of Object.entries(impl.files)) {
      const bytes = files.get(name);
      if (bytes) impl.fileEncodings.set(decoded, bytes);
    }
  }
  if (which === 'both') reflection.v1.addToServer(server);
  reflection.v1Alpha.addToServer(server);
}
