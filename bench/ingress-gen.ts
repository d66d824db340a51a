// Writes Knative Ingress + Service + Endpoints YAML for Sluice's file mode (DESIGN.md "Input resources"):
// one small app for the per-scenario runs, and N apps (each two splits over several paths) for the scale run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_INGRESS_CLASS, INGRESS_CLASS_ANNOTATION } from '../src/api/types.ts';
import { SPLIT_HEADER } from './scenarios.ts';

export const NAMESPACE = 'bench';

export interface AppShape {
  /** ingress name; also the prefix of its Services (`<name>-a`, `<name>-b`) */
  readonly name: string;
  /** the external host */
  readonly host: string;
  /** path prefixes, tried in order; the last should be "/" so any request path matches */
  readonly paths: readonly string[];
  /** two splits, 90/10, each setting SPLIT_HEADER; otherwise one split to `<name>-a` */
  readonly split: boolean;
  /** also a ClusterLocal rule for `<name>.<ns>.svc.cluster.local`, as Knative writes */
  readonly clusterLocal: boolean;
  /** upstream ports of the `a` and `b` revisions */
  readonly portA: number;
  readonly portB: number;
}

/** Pure: the YAML documents of one app (Ingress, its Services and Endpoints). */
export function appYaml(app: AppShape): string {
  const splits = app.split
    ? [split(`${app.name}-a`, 90), split(`${app.name}-b`, 10)].join('')
    : `
          - serviceNamespace: ${NAMESPACE}
            serviceName: ${app.name}-a
            servicePort: 80`;
  const paths = app.paths
    .map(
      (p) => `
        - path: ${JSON.stringify(p)}
          splits:${splits}`,
    )
    .join('');
  const rule = (host: string, visibility: string): string => `
    - hosts:
        - ${host}
      visibility: ${visibility}
      http:
        paths:${paths}`;
  const rules = rule(app.host, 'ExternalIP') + (app.clusterLocal ? rule(`${app.name}.${NAMESPACE}.svc.cluster.local`, 'ClusterLocal') : '');
  const backends = app.split ? [['a', app.portA], ['b', app.portB]] as const : [['a', app.portA]] as const;
  return [
    `apiVersion: networking.internal.knative.dev/v1alpha1
kind: Ingress
metadata:
  name: ${app.name}
  namespace: ${NAMESPACE}
  annotations:
    ${INGRESS_CLASS_ANNOTATION}: ${DEFAULT_INGRESS_CLASS}
spec:
  httpOption: Enabled
  rules:${rules}
`,
    ...backends.flatMap(([rev, port]) => [serviceYaml(`${app.name}-${rev}`, port), endpointsYaml(`${app.name}-${rev}`, port)]),
  ].join('---\n');
}

function split(service: string, percent: number): string {
  return `
          - serviceNamespace: ${NAMESPACE}
            serviceName: ${service}
            servicePort: 80
            percent: ${percent}
            appendHeaders:
              ${SPLIT_HEADER}: ${service}`;
}

function serviceYaml(name: string, port: number): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${NAMESPACE}
spec:
  type: ClusterIP
  ports:
    - name: http
      port: 80
      targetPort: ${port}
`;
}

function endpointsYaml(name: string, port: number): string {
  return `apiVersion: v1
kind: Endpoints
metadata:
  name: ${name}
  namespace: ${NAMESPACE}
subsets:
  - addresses:
      - ip: 127.0.0.1
    ports:
      - name: http
        port: ${port}
`;
}

/** the paths of every app of the scale run; requests for /small match the last one */
export const SCALE_PATHS = ['/api', '/static', '/v1', '/'] as const;

export function scaleAppName(i: number): string {
  return `app-${String(i).padStart(5, '0')}`;
}

export function scaleApp(i: number, portA: number, portB: number): AppShape {
  const name = scaleAppName(i);
  return { name, host: `${name}.${NAMESPACE}.example.com`, paths: SCALE_PATHS, split: true, clusterLocal: true, portA, portB };
}

/**
 * Writes `count` apps into dir: one file each (`apps/app-00000.yaml`...), or `perFile` apps per
 * file (`apps/batch-00000.yaml`..., each app's Services and Endpoints beside it, as `kubectl get -o
 * yaml` dumps or a generator write them; `Infinity`: one file). Returns the file of app i.
 */
export function writeScaleConfig(dir: string, count: number, portA: number, portB: number, perFile = 1): (i: number) => string {
  const apps = join(dir, 'apps');
  mkdirSync(apps, { recursive: true });
  const fileOf = (i: number) => join(dir, scaleFileOf(i, perFile));
  if (perFile === 1) for (let i = 0; i < count; i++) writeFileSync(fileOf(i), appYaml(scaleApp(i, portA, portB)));
  else for (let first = 0; first < count; first += perFile) writeFileSync(fileOf(first), scaleFileText(first, count, perFile, portA, portB));
  return fileOf;
}

/** The file (relative to the config dir) app i is written to. */
export function scaleFileOf(i: number, perFile: number): string {
  if (perFile === 1) return join('apps', `${scaleAppName(i)}.yaml`);
  return join('apps', `batch-${String(Number.isFinite(perFile) ? Math.floor(i / perFile) : 0).padStart(5, '0')}.yaml`);
}

/** The text of the file holding app `i`, with app `edit.i` replaced by `edit.app` when given. */
export function scaleFileText(i: number, count: number, perFile: number, portA: number, portB: number, edit?: { i: number; app: AppShape }): string {
  if (perFile === 1) return appYaml(edit?.i === i ? edit.app : scaleApp(i, portA, portB));
  const first = Number.isFinite(perFile) ? Math.floor(i / perFile) * perFile : 0;
  const last = Math.min(count, first + (Number.isFinite(perFile) ? perFile : count));
  const docs: string[] = [];
  for (let k = first; k < last; k++) docs.push(appYaml(edit?.i === k ? edit.app : scaleApp(k, portA, portB)));
  return docs.join('---\n');
}

/** The one-app config of the per-scenario runs: host bench.example.com, path "/", split or not. */
export function writeScenarioConfig(dir: string, split: boolean, portA: number, portB: number): string {
  mkdirSync(dir, { recursive: true });
  const app: AppShape = { name: 'bench', host: BENCH_HOST, paths: ['/'], split, clusterLocal: false, portA, portB };
  writeFileSync(join(dir, 'bench.yaml'), appYaml(app));
  return BENCH_HOST;
}

export const BENCH_HOST = 'bench.example.com';
