// Function destinations -> FunctionBindings in the snapshot: REST functions from an Upstream's
// transformations, Lambda functions with credentials from a Secret, gRPC-JSON transcoding for
// every split to an Upstream with a grpcJsonTranscoder; a function not found is a Warning and 500.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backend } from '../support/config.ts';
import { glooHost, glooState, translateDocs, upstream, vs } from './support.ts';

const petstore = backend('petstore', [{ ip: '10.0.0.1', port: 8080 }]);
const restUpstream = upstream('petstore', {
  kube: {
    serviceName: 'petstore',
    servicePort: 80,
    serviceSpec: {
      rest: {
        transformations: {
          findPetById: { headers: { ':method': { text: 'GET' }, ':path': { text: '/api/pets/{{ default(id, "") }}' }, 'Content-Type': { text: 'application/json' } }, body: {} },
          addPet: { headers: { ':method': { text: 'POST' }, ':path': { text: '/api/pets' } }, body: { text: '{"id": {{ default(id, "") }},"name": "{{ default(name, "")}}"}' } },
        },
      },
    },
  },
});
const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'aws-creds', namespace: 'default' }, data: { aws_access_key_id: Buffer.from('AKID').toString('base64'), aws_secret_access_key: Buffer.from('SECRET\n').toString('base64') }, stringData: { session_token: 'TOKEN' } };
const lambda = upstream('lambda', { aws: { region: 'us-east-1', secretRef: { name: 'aws-creds', namespace: 'default' }, endpoint: 'http://127.0.0.1:9999', lambdaFunctions: [{ logicalName: 'hello', lambdaFunctionName: 'hello-fn', qualifier: '$LATEST' }] } });

describe('Gloo function destinations', () => {
  it("lists an Upstream's functions in its status details (written or discovered), as Gloo's status carries details", () => {
    const { result } = translateDocs([...petstore, restUpstream, secret, lambda]);
    const details = (st: { details?: unknown }) => st.details;
    assert.deepEqual(details(glooState(result, 'Upstream', 'petstore') as { details?: unknown }), { functions: ['addPet', 'findPetById'] });
    assert.deepEqual(details(glooState(result, 'Upstream', 'lambda') as { details?: unknown }), { functions: ['hello'] });
  });

  it('binds a REST function with its template and parameters', () => {
    const { result } = translateDocs([
      ...petstore,
      restUpstream,
      vs('v', { virtualHost: { routes: [{ matchers: [{ prefix: '/petstore/findPet' }], routeAction: { single: { upstream: { name: 'petstore' }, destinationSpec: { rest: { functionName: 'findPetById', parameters: { headers: { ':path': '/petstore/findPet/{id}', 'X-Tenant': '{tenant}' } } } } } } }] } }),
    ]);
    const split = glooHost(result, 'v').routes[0]?.splits[0];
    assert.equal(split?.cluster, 'upstream:default/petstore');
    assert.equal(split?.function, 'VirtualService default/v spec.virtualHost.routes[0].routeAction.single');
    assert.deepEqual(result.snapshot.functions, [
      {
        name: 'VirtualService default/v spec.virtualHost.routes[0].routeAction.single',
        cluster: 'upstream:default/petstore',
        call: {
          type: 'rest',
          function: 'findPetById',
          template: { headers: [[':method', 'GET'], [':path', '/api/pets/{{ default(id, "") }}'], ['content-type', 'application/json']], body: { type: 'passthrough' } },
          parameters: { headers: [['x-tenant', '{tenant}']], path: '/petstore/findPet/{id}' },
        },
      },
    ]);
  });

  it('reports a REST function that the Upstream does not have, and answers 500 for it', () => {
    const { result } = translateDocs([
      ...petstore,
      restUpstream,
      vs('v', { virtualHost: { routes: [{ routeAction: { single: { upstream: { name: 'petstore' }, destinationSpec: { rest: { functionName: 'deletePet' } } } } }] } }),
    ]);
    assert.deepEqual(glooHost(result, 'v').routes[0]?.splits, [{ weight: 1, filters: [] }]);
    const st = glooState(result, 'VirtualService', 'v');
    assert.equal(st.state, 'Warning');
    assert.equal(st.reason, 'spec.virtualHost.routes[0].routeAction.single.destinationSpec: function "deletePet" not found on Upstream default/petstore (its serviceSpec.rest.transformations have addPet, findPetById): requests for it get 500');
  });

  it('binds a Lambda function with the credentials of the Secret', () => {
    const { result } = translateDocs([
      secret,
      lambda,
      vs('v', { virtualHost: { routes: [{ routeAction: { single: { upstream: { name: 'lambda' }, destinationSpec: { aws: { logicalName: 'hello', invocationStyle: 'ASYNC', unwrapAsApiGateway: true } } } } }] } }),
    ]);
    const split = glooHost(result, 'v').routes[0]?.splits[0];
    assert.equal(split?.cluster, undefined);
    assert.deepEqual(result.snapshot.functions?.[0]?.call, {
      type: 'aws-lambda',
      functionName: 'hello-fn',
      qualifier: '$LATEST',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9999',
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET', sessionToken: 'TOKEN' },
      invocation: 'async',
      unwrapAsApiGateway: true,
      wrapAsApiGateway: false,
    });
    assert.equal(result.snapshot.functions?.[0]?.cluster, undefined);
    assert.equal(glooState(result, 'Upstream', 'lambda').state, 'Accepted');
  });

  it('reports a Lambda logicalName not found and a missing Secret', () => {
    const { result } = translateDocs([
      lambda,
      vs('v', {
        virtualHost: {
          routes: [
            { matchers: [{ prefix: '/a' }], routeAction: { single: { upstream: { name: 'lambda' }, destinationSpec: { aws: { logicalName: 'nope' } } } } },
            { matchers: [{ prefix: '/b' }], routeAction: { single: { upstream: { name: 'lambda' }, destinationSpec: { aws: { logicalName: 'hello' } } } } },
          ],
        },
      }),
    ]);
    assert.deepEqual(glooState(result, 'VirtualService', 'v').messages, [
      'spec.virtualHost.routes[0].routeAction.single.destinationSpec: Lambda function "nope" not found on Upstream default/lambda (its lambdaFunctions have hello): requests for it get 500',
      'spec.virtualHost.routes[1].routeAction.single.destinationSpec: Upstream default/lambda: Secret "default/aws-creds" (spec.aws.secretRef) not found: requests for it get 500',
    ]);
    assert.equal(result.snapshot.functions, undefined);
  });

  it('binds gRPC-JSON transcoding on every split to an Upstream with a grpcJsonTranscoder, over h2c', () => {
    const { result } = translateDocs([
      ...backend('bookstore', [{ ip: '10.0.0.2', port: 9000 }]),
      upstream('bookstore', {
        kube: {
          serviceName: 'bookstore',
          servicePort: 80,
          serviceSpec: { grpcJsonTranscoder: { protoDescriptorBin: 'CgRhLnByb3Rv', services: ['bookstore.Bookstore'], printOptions: { alwaysPrintPrimitiveFields: true } } },
        },
      }),
      vs('v', {
        virtualHost: {
          routes: [{ routeAction: { multi: { destinations: [{ destination: { upstream: { name: 'bookstore' } }, weight: 3 }, { destination: { upstream: { name: 'default-bookstore-80' } }, weight: 1 }] } } }],
        },
      }),
    ]);
    const splits = glooHost(result, 'v').routes[0]?.splits;
    assert.deepEqual(splits, [
      { cluster: 'upstream:default/bookstore', weight: 3, filters: [], function: 'VirtualService default/v spec.virtualHost.routes[0].routeAction.multi.destinations[0]', grpcPassthrough: true },
      { cluster: 'default/bookstore:80', weight: 1, filters: [] },
    ]);
    assert.equal(result.snapshot.clusters.find((c) => c.name === 'upstream:default/bookstore')?.protocol, 'h2c');
    assert.deepEqual(result.snapshot.functions?.[0]?.call, {
      type: 'grpc-json',
      descriptorSet: 'CgRhLnByb3Rv',
      services: ['bookstore.Bookstore'],
      print: { alwaysPrintPrimitiveFields: true, preserveProtoFieldNames: false },
      ignoredQueryParameters: [],
      autoMapping: false,
    });
  });

  it('sends a static Upstream to its hosts and warns that upstream TLS is not served', () => {
    const { result } = translateDocs([
      upstream('ext', { static: { hosts: [{ addr: 'Example.COM', port: 443 }, { addr: '10.1.1.1', port: 443 }] } }),
      upstream('bad', { static: { hosts: [{ addr: 'bad host', port: 80 }] } }),
      upstream('none', { useHttp2: true }),
    ]);
    assert.deepEqual(result.snapshot.clusters.find((c) => c.name === 'upstream:default/ext'), {
      name: 'upstream:default/ext',
      protocol: 'http1',
      type: 'dns',
      endpoints: [
        { address: 'example.com', port: 443 },
        { address: '10.1.1.1', port: 443 },
      ],
    });
    assert.equal(glooState(result, 'Upstream', 'ext').reason, 'spec.static.useTls: TLS to upstreams is not supported by Sluice: requests are sent as plain HTTP (Gloo turns TLS on for port 443)');
    assert.equal(glooState(result, 'Upstream', 'bad').reason, 'spec.static.hosts[0].addr: must be an IP address or a DNS name, got "bad host"');
    assert.equal(glooState(result, 'Upstream', 'none').reason, 'spec: needs one of kube, static or aws (the upstream types Sluice serves)');
  });
});

describe('REST function templates', () => {
  it('leave framing headers to the function host and refuse a template that would split the request', () => {
    const { result } = translateDocs([
      ...petstore,
      upstream('api', {
        kube: {
          serviceName: 'petstore',
          servicePort: 80,
          serviceSpec: {
            rest: {
              transformations: {
                ok: { headers: { ':method': { text: 'GET' }, 'content-length': { text: '0' }, 'transfer-encoding': {} } },
                bad: { headers: { 'x-a': { text: 'v\r\nx-injected: 1' } } },
              },
            },
          },
        },
      }),
      vs('v', {
        virtualHost: {
          routes: [
            { matchers: [{ prefix: '/ok' }], routeAction: { single: { upstream: { name: 'api' }, destinationSpec: { rest: { functionName: 'ok' } } } } },
            { matchers: [{ prefix: '/bad' }], routeAction: { single: { upstream: { name: 'api' }, destinationSpec: { rest: { functionName: 'bad' } } } } },
          ],
        },
      }),
    ]);
    const [ok] = result.snapshot.functions ?? [];
    assert.deepEqual(ok?.call.type === 'rest' && ok.call.template.headers, [[':method', 'GET']]);
    assert.equal(result.snapshot.functions?.length, 1);
    assert.equal(
      glooState(result, 'VirtualService', 'v').reason,
      'spec.virtualHost.routes[1].routeAction.single.destinationSpec: function "bad" of Upstream default/api: header "x-a": the template must not contain CR, LF or NUL: requests for it get 500',
    );
  });
});
