// The `wsserver` test image (test/test_images/wsserver): kubelet probes get 200; every other
// request is upgraded to a WebSocket that echoes each message with " " + SUFFIX appended
// (unchanged when SUFFIX is empty), in the frame type it came in.
import { WebSocketServer } from 'ws';
import { type Backend, type BackendRequest, type BackendResponse, goError, header, startBackend } from './server.ts';

/** header.IsKubeletProbe */
function isKubeletProbe(req: BackendRequest): boolean {
  return header(req, 'user-agent').startsWith('kube-probe/') || header(req, 'k-kubelet-probe') !== '';
}

export async function startWsServer(suffix: string): Promise<Backend> {
  const wss = new WebSocketServer({ noServer: true });
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => {
      const msg = Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]);
      ws.send(suffix ? Buffer.concat([msg, Buffer.from(' ' + suffix)]) : msg, { binary: isBinary });
    });
    ws.on('error', () => ws.terminate());
  });
  // A request that is not a WebSocket handshake: gorilla's Upgrader answers 400.
  const handler = (req: BackendRequest, res: BackendResponse): void => {
    req.resume();
    if (isKubeletProbe(req)) {
      res.writeHead(200);
      res.end();
      return;
    }
    res.setHeader('Sec-Websocket-Version', '13');
    goError(res, 'Bad Request', 400);
  };
  const b = await startBackend(handler, (req, socket, head) => {
    // probe.NewHandler and the kubelet check come before the upgrade, as in the image.
    const hash = header(req, 'k-network-hash');
    if (header(req, 'k-network-probe') === 'probe') {
      socket.end(hash ? `HTTP/1.1 200 OK\r\nK-Network-Hash: ${hash}\r\nContent-Length: 0\r\n\r\n` : 'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (isKubeletProbe(req)) {
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  return {
    ...b,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      await b.close();
    },
  };
}
