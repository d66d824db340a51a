// conformance/tests/httproute-backend-protocol-websocket.go
import WebSocket from 'ws';
import { InfrastructureNamespace } from '../support/base.ts';
import type { ConformanceTest } from '../support/conformance.ts';
import { awaitConvergence } from '../support/http.ts';
import type { ConformanceSuite } from '../support/suite.ts';
import { gatewayAndHTTPRoutesMustBeAccepted } from '../support/status.ts';

/** One message over `ws` and its echo, or why not. */
function roundTrip(ws: WebSocket, msg: string | Buffer): Promise<string | undefined> {
  return new Promise((resolve) => {
    ws.once('message', (data: Buffer, isBinary: boolean) => {
      const want = typeof msg === 'string' ? msg : msg.toString('hex');
      const got = typeof msg === 'string' ? (isBinary ? `<binary>` : data.toString('utf8')) : isBinary ? data.toString('hex') : '<text>';
      resolve(got === want ? undefined : `unexpected reply - want: ${want} got: ${got}`);
    });
    ws.send(msg, { binary: typeof msg !== 'string' });
  });
}

/** suite.WebSocketDialer.Dial(remote, "", origin), then a text and a binary message echoed. */
async function wsExchange(s: ConformanceSuite, gwAddr: string, origin: string): Promise<string | undefined> {
  const port = Number(gwAddr.slice(gwAddr.lastIndexOf(':') + 1));
  const { host, port: dialPort } = s.dial(port);
  const ws = new WebSocket(`ws://${host}:${dialPort}/ws`, { origin, headers: { host: gwAddr }, handshakeTimeout: s.timeouts.request });
  try {
    const opened = await new Promise<string | undefined>((resolve) => {
      ws.once('open', () => resolve(undefined));
      ws.once('error', (err) => resolve(`failed to dial ${err.message}`));
      ws.once('unexpected-response', (_req, res) => resolve(`failed to dial: ${res.statusCode}`));
    });
    if (opened) return opened;
    return (await roundTrip(ws, 'Websocket Support!')) ?? (await roundTrip(ws, Buffer.from([1, 2, 3, 4, 5, 6, 7])));
  } finally {
    ws.terminate();
  }
}

export const HTTPRouteBackendProtocolWebSocket: ConformanceTest = {
  shortName: 'HTTPRouteBackendProtocolWebSocket',
  description: 'A HTTPRoute with a BackendRef that has an appProtocol kubernetes.io/ws should be functional',
  features: ['Gateway', 'HTTPRoute', 'HTTPRouteBackendProtocolWebSocket'],
  manifests: ['tests/httproute-backend-protocol-websocket.yaml'],
  async test(t, s) {
    const ns = InfrastructureNamespace;
    const routeNN = { name: 'backend-protocol-ws', namespace: ns };
    const gwNN = { name: 'same-namespace', namespace: ns };
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(s, gwNN, routeNN);

    await t.test('websocket connection should reach backend', (sub) =>
      awaitConvergence(s.timeouts.requiredConsecutiveSuccesses, s.timeouts.consistency, () => wsExchange(s, gwAddr, `ws://gateway/${sub.name}`)),
    );
  },
};
