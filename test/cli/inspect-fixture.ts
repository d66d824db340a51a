// One gateway configuration every inspection test (get, describe, check, config dump) reads: a
// Knative Ingress split 90/10 in `default` and one in `team`, a Gateway API Gateway with an HTTPRoute
// and a TrafficPolicy, and Gloo Upstreams (static with a REST function, AWS with a Lambda function)
// behind a VirtualService. Secrets whose values must never be shown are exported to look for.
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { freePort } from '../proxy/gateway-ports-helpers.ts';

export const AWS_SECRET = 'wJalrXUtnFEMIK7MDENGbPxRfiCYzzSECRETzz';

export async function inspectConfig(upstreamPort: number): Promise<{ cfg: ConfigDir; gatewayPort: number }> {
  const gatewayPort = await freePort();
  const cfg = await ConfigDir.create();
  await cfg.write('knative.yaml', [
    ...backend('web-a', [{ ip: '127.0.0.1', port: upstreamPort }]),
    ...backend('web-b', [{ ip: '127.0.0.1', port: upstreamPort }]),
    ingress('shop', [{ hosts: ['shop.example.com'], paths: [{ splits: [{ service: 'web-a', percent: 90 }, { service: 'web-b', percent: 10 }] }] }]),
    ...backend('api', [{ ip: '127.0.0.1', port: upstreamPort }], { namespace: 'team' }),
    ingress('api', [{ hosts: ['api.example.com'], paths: [{ path: '/v1', splits: [{ service: 'api' }] }] }], { namespace: 'team' }),
  ]);
  await cfg.write('gateway-api.yaml', [
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'sluice' }, spec: { controllerName: 'sluice.dev/gateway-controller' } },
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'gw', namespace: 'default' }, spec: { gatewayClassName: 'sluice', listeners: [{ name: 'http', port: gatewayPort, protocol: 'HTTP' }] } },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'app', namespace: 'default' },
      spec: { parentRefs: [{ name: 'gw' }], hostnames: ['app.example.com'], rules: [{ backendRefs: [{ name: 'web-a', port: 80 }] }] },
    },
    {
      apiVersion: 'sluice.dev/v1alpha1',
      kind: 'TrafficPolicy',
      metadata: { name: 'limits', namespace: 'default' },
      spec: { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'app' }], rateLimit: { requests: 100, unit: 'minute', burst: 200, key: 'client' } },
    },
  ]);
  await cfg.write('gloo.yaml', [
    {
      apiVersion: 'gloo.solo.io/v1',
      kind: 'Upstream',
      metadata: { name: 'pets', namespace: 'gloo-system' },
      spec: { static: { hosts: [{ addr: '127.0.0.1', port: upstreamPort }], serviceSpec: { rest: { transformations: { getPet: { headers: { ':method': { text: 'GET' }, ':path': { text: '/pets/{{ id }}' } } } } } } } },
    },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'aws', namespace: 'gloo-system' }, type: 'Opaque', stringData: { aws_access_key_id: 'AKIDEXAMPLE', aws_secret_access_key: AWS_SECRET } },
    {
      apiVersion: 'gloo.solo.io/v1',
      kind: 'Upstream',
      metadata: { name: 'lambda', namespace: 'gloo-system' },
      spec: { aws: { region: 'us-east-1', secretRef: { name: 'aws', namespace: 'gloo-system' }, endpoint: 'http://127.0.0.1:1', lambdaFunctions: [{ lambdaFunctionName: 'hello-world', logicalName: 'hello' }] } },
    },
    {
      apiVersion: 'gateway.solo.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'pets', namespace: 'gloo-system' },
      spec: {
        virtualHost: {
          domains: ['pets.example.com'],
          routes: [
            { matchers: [{ prefix: '/pets/' }], routeAction: { single: { upstream: { name: 'pets', namespace: 'gloo-system' }, destinationSpec: { rest: { functionName: 'getPet', parameters: { headers: { ':path': '/pets/{id}' } } } } } } },
            { matchers: [{ exact: '/hello' }], routeAction: { single: { upstream: { name: 'lambda', namespace: 'gloo-system' }, destinationSpec: { aws: { logicalName: 'hello' } } } } },
          ],
        },
      },
    },
  ]);
  return { cfg, gatewayPort };
}

/** `serve` flags for the fixture: every listener on a free loopback port, Gateways on 127.0.0.1. */
export const serveArgs = (dir: string): string[] => ['serve', '--config', dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--gateway-address', '127.0.0.1'];
