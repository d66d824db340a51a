// RouteTable delegation as Gloo documents it: by ref and by label selector (ordered by weight),
// prefixes checked and inherited, matchers and options inherited, cycles detected and reported.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backend } from '../support/config.ts';
import { glooHost, glooState, routeTable, translateDocs, vs } from './support.ts';

const svc = backend('svc', [{ ip: '10.0.0.1', port: 8080 }]);
const to = (name = 'default-svc-80') => ({ single: { upstream: { name } } });

describe('Gloo RouteTable delegation', () => {
  it('follows a ref, keeping the order written and checking the child prefixes', () => {
    const { result } = translateDocs([
      ...svc,
      vs('v', { virtualHost: { routes: [{ matchers: [{ prefix: '/a' }], delegateAction: { ref: { name: 'a-routes' } } }, { matchers: [{ prefix: '/' }], directResponseAction: { status: 404 } }] } }),
      routeTable('a-routes', {
        routes: [
          { matchers: [{ exact: '/a/one' }], routeAction: to() },
          { matchers: [{ prefix: '/b' }], routeAction: to() },
          { routeAction: to() },
        ],
      }),
    ]);
    const paths = glooHost(result, 'v').routes.map((r) => `${r.path.type} ${r.path.value}`);
    assert.deepEqual(paths, ['exact /a/one', 'prefix /a', 'prefix /']);
    const st = glooState(result, 'RouteTable', 'a-routes');
    assert.equal(st.state, 'Rejected');
    assert.equal(st.reason, 'spec.routes[1].matchers[0]: must start with the delegating route\'s prefix "/a": the route is not served');
    assert.equal(glooState(result, 'VirtualService', 'v').state, 'Accepted');
  });

  it('selects tables by labels and namespaces, lowest weight first', () => {
    const { result } = translateDocs([
      ...svc,
      vs('v', { virtualHost: { routes: [{ matchers: [{ prefix: '/api' }], delegateAction: { selector: { labels: { team: 'api' }, namespaces: ['*'] } } }] } }),
      routeTable('heavy', { weight: 20, routes: [{ matchers: [{ prefix: '/api/heavy' }], routeAction: to() }] }, { labels: { team: 'api' } }),
      routeTable('light', { weight: -5, routes: [{ matchers: [{ prefix: '/api/light' }], routeAction: to() }] }, { namespace: 'other', labels: { team: 'api' } }),
      routeTable('unlabelled', { routes: [{ matchers: [{ prefix: '/api/no' }], routeAction: to() }] }),
    ]);
    assert.deepEqual(glooHost(result, 'v').routes.map((r) => r.path.value), ['/api/light', '/api/heavy']);
  });

  it('inherits header matchers and the path when asked, and options field by field', () => {
    const { result } = translateDocs([
      ...svc,
      vs('v', {
        virtualHost: {
          routes: [
            {
              matchers: [{ prefix: '/p', headers: [{ name: 'x-team', value: 'a' }] }],
              inheritableMatchers: true,
              options: { timeout: '5s', prefixRewrite: '/' },
              delegateAction: { ref: { name: 'child' } },
            },
          ],
        },
      }),
      routeTable('child', {
        routes: [
          { matchers: [{ prefix: '/p/x', methods: ['GET'] }], routeAction: to(), options: { timeout: '1s' } },
          { matchers: [{ headers: [{ name: 'x-b', value: '1' }] }], inheritablePathMatchers: true, routeAction: to() },
        ],
      }),
    ]);
    const [x, b] = glooHost(result, 'v').routes;
    assert.equal(x?.method, 'GET');
    assert.deepEqual(x?.headers, [{ name: 'x-team', match: { type: 'exact', value: 'a' } }]);
    assert.deepEqual(x?.timeout, { request: 1000 });
    assert.deepEqual(x?.filters, [{ type: 'url-rewrite', path: { type: 'prefix', value: '/' } }]);
    assert.deepEqual(b?.path, { type: 'prefix', value: '/p' });
    assert.deepEqual(b?.headers.map((h) => h.name), ['x-team', 'x-b']);
    assert.deepEqual(b?.timeout, { request: 5000 });
  });

  it('reports a delegation cycle on the route that closes it and still serves the rest', () => {
    const { result } = translateDocs([
      ...svc,
      vs('v', { virtualHost: { routes: [{ matchers: [{ prefix: '/' }], delegateAction: { ref: { name: 'a' } } }] } }),
      routeTable('a', { routes: [{ matchers: [{ prefix: '/a' }], routeAction: to() }, { matchers: [{ prefix: '/b' }], delegateAction: { ref: { name: 'b' } } }] }),
      routeTable('b', { routes: [{ matchers: [{ prefix: '/b' }], delegateAction: { ref: { name: 'a' } } }] }),
    ]);
    assert.deepEqual(glooHost(result, 'v').routes.map((r) => r.path.value), ['/a']);
    const st = glooState(result, 'RouteTable', 'b');
    assert.equal(st.state, 'Rejected');
    assert.equal(st.reason, 'spec.routes[0].delegateAction: delegation cycle: VirtualService default/v -> RouteTable default/a -> RouteTable default/b -> RouteTable default/a');
  });

  it('warns when a delegateAction selects nothing', () => {
    const { result } = translateDocs([...svc, vs('v', { virtualHost: { routes: [{ matchers: [{ prefix: '/' }], delegateAction: { ref: { name: 'nope' } } }] } })]);
    assert.equal(glooState(result, 'VirtualService', 'v').reason, 'spec.virtualHost.routes[0].delegateAction: selects no RouteTable: the route is not served');
  });
});
