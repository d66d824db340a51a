// Builders for test configuration directories (real YAML files the file source reads).
import { mkdtemp, rm, writeFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface SplitSpec {
  service: string;
  namespace?: string;
  port?: number | string;
  percent?: number;
  appendHeaders?: Record<string, string>;
}

export interface PathSpec {
  path?: string;
  headers?: Record<string, string>;
  appendHeaders?: Record<string, string>;
  rewriteHost?: string;
  splits: SplitSpec[];
}

export interface RuleSpec {
  hosts: string[];
  visibility?: 'ExternalIP' | 'ClusterLocal';
  paths: PathSpec[];
}

export function ingress(name: string, rules: RuleSpec[], extra: { namespace?: string; httpOption?: string; tls?: object[]; annotations?: Record<string, string> } = {}): object {
  const ns = extra.namespace ?? 'default';
  return {
    apiVersion: 'networking.internal.knative.dev/v1alpha1',
    kind: 'Ingress',
    metadata: { name, namespace: ns, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: {
      ...(extra.tls ? { tls: extra.tls } : {}),
      ...(extra.httpOption ? { httpOption: extra.httpOption } : {}),
      rules: rules.map((r) => ({
        hosts: r.hosts,
        ...(r.visibility ? { visibility: r.visibility } : {}),
        http: {
          paths: r.paths.map((p) => ({
            ...(p.path ? { path: p.path } : {}),
            ...(p.headers ? { headers: Object.fromEntries(Object.entries(p.headers).map(([k, v]) => [k, { exact: v }])) } : {}),
            ...(p.appendHeaders ? { appendHeaders: p.appendHeaders } : {}),
            ...(p.rewriteHost ? { rewriteHost: p.rewriteHost } : {}),
            splits: p.splits.map((s) => ({
              serviceNamespace: s.namespace ?? ns,
              serviceName: s.service,
              servicePort: s.port ?? 80,
              ...(s.percent !== undefined ? { percent: s.percent } : {}),
              ...(s.appendHeaders ? { appendHeaders: s.appendHeaders } : {}),
            })),
          })),
        },
      })),
    },
  };
}

/** A ClusterIP Service on port 80 (named `portName`) and Endpoints with the given address:port pairs. */
export function backend(name: string, endpoints: Array<{ ip: string; port: number }>, opts: { namespace?: string; portName?: string; appProtocol?: string } = {}): object[] {
  const ns = opts.namespace ?? 'default';
  const portName = opts.portName ?? 'http';
  const port = endpoints[0]?.port ?? 8080;
  return [
    { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { ports: [{ name: portName, port: 80, targetPort: port, ...(opts.appProtocol ? { appProtocol: opts.appProtocol } : {}) }] } },
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name, namespace: ns },
      subsets: groupByPort(endpoints).map(([p, ips]) => ({ addresses: ips.map((ip) => ({ ip })), ports: [{ name: portName, port: p }] })),
    },
  ];
}

export function externalNameService(name: string, externalName: string, port: number, namespace = 'default'): object {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { type: 'ExternalName', externalName, ports: [{ name: 'http', port }] } };
}

function groupByPort(eps: Array<{ ip: string; port: number }>): Array<[number, string[]]> {
  const m = new Map<number, string[]>();
  for (const e of eps) m.set(e.port, [...(m.get(e.port) ?? []), e.ip]);
  return [...m];
}

export function toYaml(docs: object[]): string {
  return docs.map((d) => stringify(d)).join('---\n');
}

export class ConfigDir {
  private constructor(readonly dir: string) {}
  static async create(): Promise<ConfigDir> {
    return new ConfigDir(await mkdtemp(join(tmpdir(), 'sluice-test-')));
  }
  /** Writes a file atomically (temp + rename), as editors and kubectl-like tools do. */
  async write(name: string, docs: object[] | string): Promise<void> {
    const text = typeof docs === 'string' ? docs : toYaml(docs);
    const tmp = join(this.dir, `.${name}.tmp-${process.pid}-${Date.now()}`);
    await writeFile(tmp, text);
    await rename(tmp, join(this.dir, name));
  }
  async remove(name: string): Promise<void> {
    await rm(join(this.dir, name), { force: true });
  }
  async cleanup(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
