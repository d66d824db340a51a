// The Gloo translator on plain documents: a VirtualService's domains and routes become a virtual
// host on Knative's external listener (no Gloo Gateway), its destinations clusters, its options
// filters; what Sluice cannot serve is named in the object's Gloo status.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backend } from '../support/config.ts';
import { glooHost, glooState, translateDocs, upstream, vs } from './support.ts';

const petstore = backend('petstore', [{ ip: '10.0.0.1', port: 8080 }]);

describe('Gloo VirtualService', () => {
  it('serves its domains on the external listener with a route to the implicit Upstream of a Service port', () => {
    const { result } = translateDocs([
      ...petstore,
      vs('default', { virtualHost: { domains: ['Pets.Example.com', 'api.example.com:8080'], routes: [{ matchers: [{ prefix: '/api' }], routeAction: { single: { upstream: { name: 'default-petstore-80', namespace: 'gloo-system' } } } }] } }),
    ]);
    const host = glooHost(result, 'default');
    assert.deepEqual(host.domains, ['api.example.com', 'pets.example.com']);
    assert.equal(host.routes.length, 1);
    assert.deepEqual(host.routes[0]?.path, { type: 'prefix', value: '/api' });
    assert.equal(host.routes[0]?.splits[0]?.cluster, 'default/petstore:80');
    assert.deepEqual(result.snapshot.clusters.find((c) => c.name === 'default/petstore:80')?.endpoints, [{ address: '10.0.0.1', port: 8080 }]);
    assert.deepEqual(glooState(result, 'VirtualService', 'default'), { state: 'Accepted', reportedBy: 'gateway' });
  });

  it('routes to a written kube Upstream with its own cluster, h2c with useHttp2', () => {
    const { result } = translateDocs([
      ...petstore,
      upstream('pets', { kube: { serviceName: 'petstore', serviceNamespace: 'default', servicePort: 80 }, useHttp2: true }),
      vs('v', { virtualHost: { domains: ['*'], routes: [{ routeAction: { single: { upstream: { name: 'pets' } } } }] } }),
    ]);
    const c = result.snapshot.clusters.find((x) => x.name === 'upstream:default/pets');
    assert.equal(c?.protocol, 'h2c');
    assert.deepEqual(c?.endpoints, [{ address: '10.0.0.1', port: 8080 }]);
    assert.equal(glooHost(result, 'v').routes[0]?.splits[0]?.cluster, 'upstream:default/pets');
    assert.deepEqual(glooState(result, 'Upstream', 'pets'), { state: 'Accepted', reportedBy: 'gloo' });
  });

  it('expands matchers and methods into routes, in the order written', () => {
    const { result } = translateDocs([
      ...petstore,
      vs('v', {
        virtualHost: {
          routes: [
            {
              matchers: [
                { exact: '/a', methods: ['GET', 'post'], headers: [{ name: 'X-Env', value: 'prod' }, { name: 'x-re', value: 'v[0-9]+', regex: true }, { name: 'x-any' }] },
                { regex: '/b/[a-z]+', queryParameters: [{ name: 'q', value: '1' }] },
              ],
              routeAction: { single: { kube: { ref: { name: 'petstore' }, port: 80 } } },
            },
            { directResponseAction: { status: 404, body: 'gone' } },
          ],
        },
      }),
    ]);
    const routes = glooHost(result, 'v').routes;
    assert.deepEqual(
      routes.map((r) => [r.path.type, r.path.value, r.method ?? '*']),
      [['exact', '/a', 'GET'], ['exact', '/a', 'POST'], ['regex', '/b/[a-z]+', '*'], ['prefix', '/', '*']],
    );
    assert.deepEqual(routes[0]?.headers, [
      { name: 'x-env', match: { type: 'exact', value: 'prod' } },
      { name: 'x-re', match: { type: 'regex', value: 'v[0-9]+' } },
      { name: 'x-any', match: { type: 'present' } },
    ]);
    assert.deepEqual(routes[2]?.query, [{ name: 'q', match: { type: 'exact', value: '1' } }]);
    assert.deepEqual(routes[3]?.filters, [{ type: 'direct-response', status: 404, body: 'gone' }]);
    assert.deepEqual(routes[3]?.splits, []);
  });

  it('translates route and virtual-host options into filters, timeout and retries', () => {
    const { result } = translateDocs([
      ...petstore,
      upstream('shadow', { static: { hosts: [{ addr: '10.0.0.9', port: 80 }] } }),
      vs('v', {
        virtualHost: {
          options: { headerManipulation: { responseHeadersToAdd: [{ header: { key: 'x-vh', value: '1' } }] }, cors: { allowOrigin: ['https://a.example'], allowMethods: ['GET'] } },
          routes: [
            {
              matchers: [{ prefix: '/api' }],
              routeAction: { single: { upstream: { name: 'default-petstore-80' } } },
              options: {
                prefixRewrite: '/v2',
                hostRewrite: 'Internal.Example',
                timeout: '1.5s',
                retries: { retryOn: '5xx,connect-failure', numRetries: 3, perTryTimeout: '500ms' },
                headerManipulation: {
                  requestHeadersToAdd: [{ header: { key: 'x-a', value: '1' } }, { header: { key: 'x-b', value: '2' }, append: false }],
                  requestHeadersToRemove: ['X-Drop'],
                },
                faults: { abort: { percentage: 10, httpStatus: 503 }, delay: { percentage: 5, fixedDelay: '2s' } },
                shadowing: { upstream: { name: 'shadow' }, percentage: 50 },
              },
            },
            { matchers: [{ exact: '/old' }], redirectAction: { hostRedirect: 'new.example.com', pathRedirect: '/new', responseCode: 'PERMANENT_REDIRECT', httpsRedirect: true } },
            { matchers: [{ prefix: '/auto' }], routeAction: { single: { upstream: { name: 'default-petstore-80' } } }, options: { autoHostRewrite: true, regexRewrite: { pattern: { regex: '^/auto/(.*)$' }, substitution: '/\\1' }, cors: { disableForRoute: true } } },
          ],
        },
      }),
    ]);
    const [api, old, auto] = glooHost(result, 'v').routes;
    assert.deepEqual(api?.filters, [
      { type: 'cors', policy: { allowOrigins: ['https://a.example'], allowMethods: ['GET'], allowHeaders: [], exposeHeaders: [], allowCredentials: false } },
      { type: 'url-rewrite', hostname: 'internal.example', path: { type: 'prefix', value: '/v2' } },
      { type: 'request-headers', edits: { set: [['x-b', '2']], add: [['x-a', '1']], remove: ['x-drop'] } },
      { type: 'fault', abort: { percent: 10, status: 503 }, delay: { percent: 5, ms: 2000 } },
      { type: 'mirror', cluster: 'upstream:default/shadow', percent: 50 },
      { type: 'response-headers', edits: { set: [], add: [['x-vh', '1']], remove: [] } },
    ]);
    assert.deepEqual(api?.timeout, { request: 1500, backendRequest: 500 });
    assert.deepEqual(api?.retry, { attempts: 3, codes: [500, 501, 502, 503, 504, 505, 506, 507, 508, 509, 510, 511] });
    assert.deepEqual(old?.filters.at(-1), { type: 'redirect', statusCode: 308, scheme: 'https', hostname: 'new.example.com', path: { type: 'full', value: '/new' } });
    assert.deepEqual(auto?.filters, [
      { type: 'url-rewrite', autoHostname: true, path: { type: 'regex', pattern: '^/auto/(.*)$', substitution: '/\\1' } },
      { type: 'response-headers', edits: { set: [], add: [['x-vh', '1']], remove: [] } },
    ]);
    assert.equal(glooState(result, 'VirtualService', 'v').state, 'Accepted');
  });

  it('names every field Sluice does not serve in a Warning, and keeps serving the rest', () => {
    const { result, rejections } = translateDocs([
      ...petstore,
      vs('v', {
        virtualHost: { domains: ['a.example'], options: { waf: { ruleSets: [] }, extauth: { configRef: { name: 'x' } } }, routes: [{ routeAction: { single: { upstream: { name: 'default-petstore-80' } } }, options: { rateLimit: {}, timout: '1s' } }] },
      }),
    ]);
    assert.deepEqual(rejections, []);
    const st = glooState(result, 'VirtualService', 'v');
    assert.equal(st.state, 'Warning');
    assert.deepEqual(st.messages, [
      'spec.virtualHost.options.waf: not supported by Sluice, ignored',
      'spec.virtualHost.options.extauth.configRef: not supported by Sluice, ignored',
      'spec.virtualHost.routes[0].options.rateLimit: not supported by Sluice, ignored',
      'spec.virtualHost.routes[0].options.timout: not supported by Sluice, ignored (did you mean "timeout"?)',
    ]);
    assert.equal(glooHost(result, 'v').routes.length, 1);
  });

  it('leaves out a route it cannot serve, reporting it Rejected with the field, and serves the others', () => {
    const { result } = translateDocs([
      ...petstore,
      vs('v', {
        virtualHost: {
          routes: [
            { matchers: [{ regex: '/(' }], routeAction: { single: { upstream: { name: 'default-petstore-80' } } } },
            { matchers: [{ prefix: '/x', headers: [{ name: 'bad header', value: 'b' }] }], routeAction: { single: { upstream: { name: 'default-petstore-80' } } } },
            { matchers: [{ prefix: '/ok' }], routeAction: { single: { upstream: { name: 'default-petstore-80' } } }, options: { headerManipulation: { requestHeadersToAdd: [{ header: { key: 'x-bad', value: 'a\r\nb' } }] } } },
            { matchers: [{ prefix: '/' }], routeAction: { single: { upstream: { name: 'missing' } } } },
          ],
        },
      }),
    ]);
    const st = glooState(result, 'VirtualService', 'v');
    assert.equal(st.state, 'Rejected');
    assert.match(st.reason ?? '', /spec\.virtualHost\.routes\[0\]\.matchers\[0\]\.regex: not an RE2 expression/);
    assert.match(st.reason ?? '', /spec\.virtualHost\.routes\[1\]\.matchers\[0\]\.headers\[0\]\.name: must be an HTTP header name/);
    assert.match(st.reason ?? '', /spec\.virtualHost\.routes\[2\]\.options\.headerManipulation\.requestHeadersToAdd\[0\]\.header\.value: must not contain CR, LF or NUL/);
    assert.match(st.reason ?? '', /spec\.virtualHost\.routes\[3\]\.routeAction\.single: Upstream "default\/missing" not found: requests for it get 500/);
    const routes = glooHost(result, 'v').routes;
    assert.equal(routes.length, 1);
    assert.deepEqual(routes[0]?.splits, [{ weight: 1, filters: [] }]);
  });

  it('rejects a document whose served fields have the wrong type, naming the field', () => {
    const { rejections } = translateDocs([vs('v', { virtualHost: { domains: 'a.example', routes: [{ matchers: [{ prefix: 3 }] }] } })]);
    assert.deepEqual(
      rejections[0]?.errors.map((e) => `${e.path}: ${e.message}`),
      ['spec.virtualHost.domains: must be a list, got string', 'spec.virtualHost.routes[0].matchers[0].prefix: must be a string, got number'],
    );
  });
});
