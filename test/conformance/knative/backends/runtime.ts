// The `runtime` test image (knative.dev/networking test/test_images/runtime): `/` answers 200 with
// the request it received as JSON (types.RuntimeInfo: `request` and `host`), `/healthz` answers
// kubelet probes; everything behind probe.NewHandler on an HTTP/1.1 + h2c server.
import { statSync } from 'node:fs';
import { posix } from 'node:path';
import { type Backend, type BackendRequest, type BackendResponse, header, startBackend } from './server.ts';

/** types.RequestInfo, as the image's JSON names it. */
export interface RequestInfo {
  ts: string;
  uri: string;
  host: string;
  method: string;
  /** Go's http.Header: canonical names -> values (Host is not in it; it is `host`) */
  headers: Record<string, string[]>;
  protoMajor: number;
  protoMinor: number;
}

export interface RuntimeInfo {
  request: RequestInfo;
  host: HostInfo;
}

/** types.HostInfo. Only what the ingress tests can use is filled in; no environment is exposed. */
interface HostInfo {
  files: Record<string, { isDir?: boolean; error?: string }>;
  envs: Record<string, string>;
  fileaccess: Record<string, never>;
  cgroups: never[];
  mounts: never[];
  stdin: { eof?: boolean };
  user: { uid: number; euid: number; gid: number; egid: number; cwd: { directory: string; error: string } };
  args: string[];
}

/** Go's textproto.CanonicalMIMEHeaderKey. */
export function canonicalHeaderKey(k: string): string {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(k)) return k;
  return k.toLowerCase().replace(/(^|-)([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());
}

/** Header.Get on the image's JSON: the first value under the canonical name, or "". */
export function headerGet(ri: RuntimeInfo, name: string): string {
  return ri.request.headers[canonicalHeaderKey(name)]?.[0] ?? '';
}

function goHeaders(req: BackendRequest): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    // net/http moves Host into r.Host and Transfer-Encoding into r.TransferEncoding; pseudo-headers are not headers.
    if (name.startsWith(':') || /^(host|transfer-encoding)$/i.test(name)) continue;
    // Headers the probe handler deleted (K-Network-Hash) are gone from req.headers only.
    if (!(name.toLowerCase() in req.headers)) continue;
    (out[canonicalHeaderKey(name)] ??= []).push(raw[i + 1]!);
  }
  return out;
}

function hostInfo(port: number): HostInfo {
  const files: HostInfo['files'] = {};
  for (const f of ['/dev/fd', '/dev/null', '/dev/random', '/dev/urandom', '/dev/zero', '/tmp', '/etc/resolv.conf', '/dev/console']) {
    try {
      files[f] = { isDir: statSync(f).isDirectory() };
    } catch {
      files[f] = { error: `stat ${f}: no such file or directory` };
    }
  }
  const id = (f: (() => number) | undefined): number => (f ? f() : -1);
  return {
    files,
    envs: { PORT: String(port) },
    fileaccess: {},
    cgroups: [],
    mounts: [],
    stdin: { eof: true },
    user: { uid: id(process.getuid), euid: id(process.geteuid), gid: id(process.getgid), egid: id(process.getegid), cwd: { directory: process.cwd(), error: '' } },
    args: ['/ko-app/runtime'],
  };
}

/** Go's ServeMux cleanPath: path.Clean, keeping a trailing slash. */
function cleanPath(p: string): string {
  if (p === '') return '/';
  const np = posix.normalize(p.startsWith('/') ? p : '/' + p).replace(/\/+$/, '') || '/';
  return p.endsWith('/') && np !== '/' ? np + '/' : np;
}

function writeJSON(res: BackendResponse, o: unknown): void {
  res.writeHead(200);
  // Go's json.Encoder with SetIndent("", "\t") ends with a newline.
  res.end(JSON.stringify(o, null, '\t') + '\n');
}

export function startRuntime(): Promise<Backend> {
  let port = 0;
  const handler = (req: BackendRequest, res: BackendResponse): void => {
    const uri = req.url ?? '/';
    const path = uri.split('?')[0]!;
    // ServeMux answers an unclean path with a redirect to the clean one.
    if (req.method !== 'CONNECT' && cleanPath(path) !== path) {
      res.setHeader('Location', cleanPath(path) + uri.slice(path.length));
      res.writeHead(301);
      res.end();
      return;
    }
    req.resume();
    if (path === '/healthz') {
      res.writeHead(header(req, 'user-agent').startsWith('kube-probe/') ? 200 : 400);
      res.end();
      return;
    }
    res.setHeader('Cache-Control', 'no-cache, no-store, must-revalidate');
    res.setHeader('Pragma', 'no-cache');
    res.setHeader('Expires', '0');
    res.setHeader('Content-Type', 'application/json');
    const info: RuntimeInfo = {
      request: {
        ts: new Date().toISOString(),
        uri,
        host: header(req, ':authority') || header(req, 'host'),
        method: req.method ?? 'GET',
        headers: goHeaders(req),
        protoMajor: req.httpVersionMajor,
        protoMinor: req.httpVersionMinor,
      },
      host: hostInfo(port),
    };
    writeJSON(res, info);
  };
  return startBackend(handler).then((b) => {
    port = b.port;
    return b;
  });
}
