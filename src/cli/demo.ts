// `sluice demo` (`npm start`): two small "hello" revisions and a gateway serving examples/.
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { Gateway } from '../gateway.ts';
import { createLogger } from '../log.ts';
import { parseAddress } from '../net/address.ts';
import { listen } from '../proxy/listeners.ts';
import { FileSource } from '../sources/file.ts';
import { serveDefaults, stopOnSignals, translateOptionsFromFlags } from './serve.ts';

export const DEMO_REVISIONS = [
  { name: 'hello-00001', port: 18001 },
  { name: 'hello-00002', port: 18002 },
] as const;

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

export async function runDemo(opts: { http: string; local: string; admin: string }): Promise<void> {
  const log = createLogger(process.env.SLUICE_LOG_LEVEL ?? 'warn');
  const revisions = await Promise.all(DEMO_REVISIONS.map((r) => startRevision(r.name, r.port)));
  const gateway = await Gateway.start({
    source: new FileSource({ dir: examplesDir, log: (level, msg, fields) => log[level](fields ?? {}, msg) }),
    translate: translateOptionsFromFlags(serveDefaults, false),
    http: parseAddress(opts.http, '--http'),
    local: parseAddress(opts.local, '--local'),
    admin: parseAddress(opts.admin, '--admin'),
    log,
  });
  const { http: h, local: l, admin: a } = gateway.addresses;
  const url = (addr: string | undefined) => `http://${addr?.replace(/^0\.0\.0\.0:/, '127.0.0.1:')}`;
  process.stdout.write(
    [
      `Sluice demo: serving ${examplesDir} (edit it; changes are served at once)`,
      `  revisions: ${DEMO_REVISIONS.map((r) => `${r.name} on 127.0.0.1:${r.port}`).join(', ')}`,
      '',
      'Try:',
      `  curl -H 'Host: hello.example.com' ${url(h)}/                               # 90% hello-00001, 10% hello-00002`,
      `  curl -H 'Host: hello.example.com' -H 'Knative-Serving-Tag: v2' ${url(h)}/  # tag route: always hello-00002`,
      `  curl -H 'Host: hello.default.svc.cluster.local' ${url(l)}/                  # cluster-local (also: hello.default, hello.default.svc)`,
      `  curl -H 'Host: hello.example.com' -H 'K-Network-Probe: probe' -H 'K-Network-Hash: override' -i ${url(h)}/  # Knative probe`,
      `  curl ${url(a)}/status    # ingress conditions;  also /config /metrics /ready`,
      '',
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  stopOnSignals(log, async () => {
    await gateway.stop();
    await Promise.all(revisions.map((s) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); })));
  });
}
