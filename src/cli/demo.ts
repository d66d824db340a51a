// `sluice demo` (`npm start`): two small "hello" revisions, a WebSocket echo service, and a
// gateway serving examples/ on plain HTTP and on TLS (a self-signed certificate made at start),
// with examples/gateway-api's Gateway on its ports plus DEMO_PORT_OFFSET.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { adminTokenFromFlags } from '../admin/auth.ts';
import { Gateway } from '../gateway.ts';
import { createLogger } from '../log.ts';
import { parseAddress } from '../net/address.ts';
import { listen } from '../proxy/listeners.ts';
import type { KeyPairPem } from '../proxy/tls.ts';
import { FileSource } from '../sources/file.ts';
import { DEMO_LAMBDA, startDemoLambda } from './demo-lambda.ts';
import { type ServeFlags, serveDefaults, stopOnSignals, translateOptionsFromFlags } from './serve.ts';

export const DEMO_REVISIONS = [
  { name: 'hello-00001', port: 18001 },
  { name: 'hello-00002', port: 18002 },
] as const;

/** The WebSocket echo service of examples/websocket.yaml. */
export const DEMO_ECHO = { name: 'echo', port: 18003 } as const;

/** examples/gateway-api's Gateway declares ports 80 and 443: the demo binds them this much higher. */
export const DEMO_PORT_OFFSET = 18000;

/** The names the demo's self-signed certificate covers. */
export const DEMO_TLS_HOSTS = ['hello.example.com', '*.example.com'] as const;

export const examplesDir = fileURLToPath(new URL('../../examples/', import.meta.url));

/** A demo revision: answers every request with its name and what the gateway set. */
export function startRevision(name: string, port: number, host = '127.0.0.1'): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const body = `Hello from ${name}!\n  host: ${req.headers.host}\n  path: ${req.url}\n  knative-serving-revision: ${req.headers['knative-serving-revision'] ?? '-'}\n  x-forwarded-for: ${req.headers['x-forwarded-for'] ?? '-'}\n`;
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-revision': name });
    res.end(body);
  });
  return listen(server, { host, port }, `demo revision ${name}`).then(() => server);
}

/** A WebSocket service that sends every message back, prefixed with its name. */
export async function startEcho(name: string, port: number, host = '127.0.0.1'): Promise<http.Server> {
  const server = http.createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain; charset=utf-8', upgrade: 'websocket' });
    res.end('this is a WebSocket echo service\n');
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(isBinary ? data : `${name}: ${data.toString()}`, { binary: isBinary })));
  await listen(server, { host, port }, `demo service ${name}`);
  server.once('close', () => wss.close());
  return server;
}

/**
 * A self-signed certificate for the demo's TLS listener, made with the openssl command.
 * Without openssl the demo still runs, only its TLS handshakes fail.
 */
export function selfSignedCert(hosts: readonly string[]): KeyPairPem | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-demo-'));
  try {
    const [keyFile, certFile] = [join(dir, 'tls.key'), join(dir, 'tls.crt')];
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30',
      '-subj', `/CN=${hosts[0]}`, '-addext', `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}`,
      '-keyout', keyFile, '-out', certFile,
    ], { stdio: 'ignore', timeout: 20_000 });
    return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The listener and admin flags `demo` shares with `serve`. */
export type DemoFlags = Pick<ServeFlags, 'http' | 'https' | 'local' | 'admin' | 'adminTokenFile' | 'adminInsecure'>;

export async function runDemo(opts: DemoFlags): Promise<void> {
  const log = createLogger(process.env.SLUICE_LOG_LEVEL ?? 'warn');
  const admin = parseAddress(opts.admin, '--admin');
  // Checked before anything starts: the demo's admin endpoint shows its whole configuration too.
  const adminToken = adminTokenFromFlags(admin.host, opts.adminTokenFile, opts.adminInsecure === true, (problem) => log.warn(problem));
  const revisions = await Promise.all(DEMO_REVISIONS.map((r) => startRevision(r.name, r.port)));
  const echo = await startEcho(DEMO_ECHO.name, DEMO_ECHO.port);
  const lambda = await startDemoLambda();
  const cert = selfSignedCert(DEMO_TLS_HOSTS);
  if (!cert) log.warn('openssl not found: the demo TLS listener has no certificate');
  const gateway = await Gateway.start({
    source: new FileSource({ dir: examplesDir, log: (level, msg, fields) => log[level](fields ?? {}, msg) }),
    translate: { ...translateOptionsFromFlags(serveDefaults, false), gatewayAddress: '127.0.0.1', portOffset: DEMO_PORT_OFFSET },
    http: parseAddress(opts.http, '--http'),
    https: parseAddress(opts.https, '--https'),
    // The demo has no Secret in examples/: its certificate is the default for every name.
    ...(cert ? { defaultCert: cert } : {}),
    local: parseAddress(opts.local, '--local'),
    admin,
    ...(adminToken !== undefined && { adminToken }),
    log,
  });
  const { http: h, https: s, local: l, admin: a } = gateway.addresses;
  const hostPort = (addr: string | undefined) => `${addr?.replace(/^0\.0\.0\.0:/, '127.0.0.1:')}`;
  const url = (addr: string | undefined) => `http://${hostPort(addr)}`;
  const tlsPort = s?.slice(s.lastIndexOf(':') + 1);
  const gw = `127.0.0.1:${80 + DEMO_PORT_OFFSET}`;
  const gwTls = 443 + DEMO_PORT_OFFSET;
  process.stdout.write(
    [
      // First, so it is on screen whatever else scrolls by.
      `Status page: ${url(a)}/ui`,
      `Sluice demo: serving ${examplesDir} (edit it; changes are served at once)`,
      `  revisions: ${DEMO_REVISIONS.map((r) => `${r.name} on 127.0.0.1:${r.port}`).join(', ')}; WebSocket echo on 127.0.0.1:${DEMO_ECHO.port}; a Lambda runtime on 127.0.0.1:${DEMO_LAMBDA.port}`,
      '',
      'Try:',
      `  curl -H 'Host: hello.example.com' ${url(h)}/                               # 90% hello-00001, 10% hello-00002`,
      `  curl -H 'Host: hello.example.com' -H 'Knative-Serving-Tag: v2' ${url(h)}/  # tag route: always hello-00002`,
      `  curl -H 'Host: hello.default.svc.cluster.local' ${url(l)}/                  # cluster-local (also: hello.default, hello.default.svc)`,
      `  curl -H 'Host: hello.example.com' -H 'K-Network-Probe: probe' -H 'K-Network-Hash: override' -i ${url(h)}/  # Knative probe`,
      `  curl -k --resolve hello.example.com:${tlsPort}:127.0.0.1 https://hello.example.com:${tlsPort}/   # TLS (self-signed), h2 or http/1.1`,
      `  curl --http2-prior-knowledge -H 'Host: hello.example.com' ${url(h)}/         # HTTP/2 cleartext`,
      `  npx wscat -H 'Host: echo.example.com' -c ws://${hostPort(h)}/               # WebSocket echo`,
      '',
      `Gateway API (examples/gateway-api: Gateway ports 80/443 served on ${80 + DEMO_PORT_OFFSET}/${gwTls}):`,
      `  curl -H 'Host: store.example.com' http://${gw}/                     # HTTPRoute: 90% store-v1, 10% store-v2`,
      `  curl -H 'Host: store.example.com' -H 'x-canary: true' http://${gw}/  # header match: always store-v2`,
      `  curl -i -H 'Host: old-store.example.com' http://${gw}/cart          # redirect to https://store.example.com/cart`,
      `  curl -k --resolve store.example.com:${gwTls}:127.0.0.1 https://store.example.com:${gwTls}/api/v2/items   # HTTPS, path rewritten to /api/items`,
      '',
      'Gloo Edge (examples/gloo): a monolith split by path across functions, Gloo\'s VirtualService as written:',
      `  curl -H 'Host: monolith.example.com' ${url(h)}/pets/7                          # REST function getPet: GET /v2/pets/7 on the pets service`,
      `  curl -H 'Host: monolith.example.com' -d '{"item":"book"}' ${url(h)}/orders     # Lambda function create-order`,
      `  curl -H 'Host: monolith.example.com' ${url(h)}/legacy                          # everything else: still the monolith`,
      '',
      `  curl ${url(a)}/status    # ingress, Gateway and route conditions;  also /ui /config /metrics /ready`,
      '',
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  stopOnSignals(log, async () => {
    await gateway.stop();
    await Promise.all([...revisions, echo, lambda].map((srv) => new Promise<void>((r) => { srv.closeAllConnections(); srv.close(() => r()); })));
  });
}
