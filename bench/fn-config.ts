// The function scenarios (a Gloo VirtualService's function routes against plain routes to the same
// backends) and the file-mode config that serves them all from one `sluice serve`. Pure.
import { backend, toYaml } from '../test/support/config.ts';
import { bookstoreDescriptorSet } from '../test/functions/grpc-json-fixture.ts';
import { GLOO, upstream, vs } from '../test/gloo/support.ts';

export type FnScenarioName = 'fn-plain' | 'fn-rest' | 'fn-grpc' | 'fn-grpc-json' | 'fn-lambda';

export interface FnScenario {
  readonly name: FnScenarioName;
  readonly description: string;
  readonly path: string;
  /** HTTP/2 cleartext (h2load) with a gRPC body, instead of an HTTP/1.1 GET */
  readonly grpc: boolean;
  /** the plain route whose numbers this one's are divided by (null: it is a plain route) */
  readonly baseline: FnScenarioName | null;
}

export const FN_HOST = 'fn.example.com';

export const fnScenarios: readonly FnScenario[] = [
  { name: 'fn-plain', description: 'GET /api/pets/7 routed plainly to the petstore', path: '/api/pets/7', grpc: false, baseline: null },
  { name: 'fn-rest', description: 'GET /pets/7 through a REST function (template) to the same petstore', path: '/pets/7', grpc: false, baseline: 'fn-plain' },
  { name: 'fn-grpc', description: 'unary gRPC GetBook over h2c routed plainly to the grpc-js bookstore', path: '/bookstore.Bookstore/GetBook', grpc: true, baseline: null },
  { name: 'fn-grpc-json', description: 'GET /v1/shelves/8/books/21 transcoded to the same unary GetBook', path: '/v1/shelves/8/books/21', grpc: false, baseline: 'fn-grpc' },
  { name: 'fn-lambda', description: 'GET /hello/world as a SigV4-signed Invoke of the fake Lambda', path: '/hello/world', grpc: false, baseline: 'fn-plain' },
];

export function isFnScenarioName(name: string): name is FnScenarioName {
  return fnScenarios.some((s) => s.name === name);
}

/** `fn` names them all. */
export function fnScenariosByNames(names: readonly string[]): FnScenario[] {
  const want = new Set(names.flatMap((n) => (n === 'fn' ? fnScenarios.map((s) => s.name) : [n])));
  return fnScenarios.filter((s) => want.has(s.name));
}

/** What fn-grpc sends: GetBookRequest{name: "shelves/8", book: 21} in one gRPC frame (the same call fn-grpc-json makes). */
export function getBookFrame(): Buffer {
  const name = Buffer.from('shelves/8');
  const msg = Buffer.concat([Buffer.from([0x0a, name.length]), name, Buffer.from([0x18, 21])]);
  const head = Buffer.alloc(5);
  head.writeUInt32BE(msg.length, 1);
  return Buffer.concat([head, msg]);
}

export const FN_UPSTREAMS_PREFIX = 'FNUPSTREAMS ';
export const LAMBDA_FUNCTION = 'bench-hello';

/** Where bench/fn-upstreams.ts listens. */
export interface FnUpstreamAddresses {
  readonly petstorePort: number;
  readonly bookstorePort: number;
  readonly lambda: { readonly endpoint: string; readonly region: string; readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** The Services, Upstreams and the one VirtualService, as Gloo users write them, in one YAML file. */
export function fnConfigYaml(a: FnUpstreamAddresses): string {
  const single = (name: string, destinationSpec?: object): object => ({ single: { upstream: { name, namespace: 'default' }, ...(destinationSpec ? { destinationSpec } : {}) } });
  const docs: object[] = [
    ...backend('petstore', [{ ip: '127.0.0.1', port: a.petstorePort }]),
    ...backend('bookstore', [{ ip: '127.0.0.1', port: a.bookstorePort }], { portName: 'grpc' }),
    upstream('petstore', {
      kube: {
        serviceName: 'petstore',
        serviceNamespace: 'default',
        servicePort: 80,
        serviceSpec: {
          rest: {
            transformations: {
              findPetById: { headers: { ':method': { text: 'GET' }, ':path': { text: '/api/pets/{{ default(id, "") }}' }, 'content-length': { text: '0' } }, body: {} },
            },
          },
        },
      },
    }),
    upstream('bookstore', {
      kube: { serviceName: 'bookstore', serviceNamespace: 'default', servicePort: 80, serviceSpec: { grpcJsonTranscoder: { protoDescriptorBin: bookstoreDescriptorSet(), services: ['bookstore.Bookstore'] } } },
    }),
    upstream('bookstore-grpc', { useHttp2: true, kube: { serviceName: 'bookstore', serviceNamespace: 'default', servicePort: 80 } }),
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'aws-creds', namespace: 'default' }, type: 'Opaque', stringData: { aws_access_key_id: a.lambda.accessKeyId, aws_secret_access_key: a.lambda.secretAccessKey } },
    {
      apiVersion: GLOO,
      kind: 'Upstream',
      metadata: { name: 'aws', namespace: 'default' },
      spec: { aws: { region: a.lambda.region, secretRef: { name: 'aws-creds', namespace: 'default' }, endpoint: a.lambda.endpoint, lambdaFunctions: [{ lambdaFunctionName: LAMBDA_FUNCTION, logicalName: 'hello' }] } },
    },
    vs('functions', {
      virtualHost: {
        domains: [FN_HOST],
        routes: [
          { matchers: [{ prefix: '/api/pets/' }], routeAction: single('petstore') },
          { matchers: [{ prefix: '/pets/', methods: ['GET'] }], routeAction: single('petstore', { rest: { functionName: 'findPetById', parameters: { headers: { ':path': '/pets/{id}' } } } }) },
          { matchers: [{ prefix: '/bookstore.Bookstore/' }], routeAction: single('bookstore-grpc') },
          { matchers: [{ prefix: '/v1/' }], routeAction: single('bookstore') },
          { matchers: [{ prefix: '/hello' }], routeAction: single('aws', { aws: { logicalName: 'hello', wrapAsApiGateway: true, unwrapAsApiGateway: true } }) },
        ],
      },
    }),
  ];
  return toYaml(docs);
}
