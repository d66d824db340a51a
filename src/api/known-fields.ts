// The field names Kubernetes and Knative define for the kinds Sluice reads, so that a misspelt
// field is an error instead of a silent default (`visiblity: ClusterLocal` would otherwise leave a
// cluster-local route public), as kubectl's strict field validation makes it. Field lists follow
// the Go types: knative.dev/networking pkg/apis/networking/v1alpha1 (Ingress) and k8s.io/api
// core/v1 and discovery/v1 (every field of the objects Sluice reads, not only those it uses, so a
// manifest exported from a cluster passes). Free-form maps (labels, annotations, data) and parts
// Sluice never reads (status, managedFields, ownerReferences) are not looked into.
import { field, index, isObject, type Check } from './check.ts';
import { GATEWAY_API_SHAPES } from './known-fields-gateway.ts';

/** The known fields of an object: a nested Shape, or FREE for a value not looked into. */
type Shape = { readonly [name: string]: Shape | typeof FREE };
const FREE = 0;
/** In a Shape, the shape of every value of a map keyed by the user (header name -> match). */
const ANY_KEY = '*';

const OBJECT_META: Shape = Object.fromEntries(
  [
    'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
    'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
  ].map((k) => [k, FREE]),
);

const free = (...names: string[]): Shape => Object.fromEntries(names.map((n) => [n, FREE]));
const top = (body: Shape): Shape => ({ apiVersion: FREE, kind: FREE, metadata: OBJECT_META, status: FREE, ...body });

const HEADERS_TO_APPEND = FREE; // a map of header names
const SPLIT: Shape = { ...free('serviceNamespace', 'serviceName', 'servicePort', 'percent'), appendHeaders: HEADERS_TO_APPEND };
const HTTP_PATH: Shape = { ...free('path', 'rewriteHost'), headers: { [ANY_KEY]: free('exact') }, splits: SPLIT, appendHeaders: HEADERS_TO_APPEND };
const INGRESS: Shape = top({
  spec: {
    tls: free('hosts', 'secretName', 'secretNamespace'),
    rules: { ...free('hosts', 'visibility'), http: { paths: HTTP_PATH } },
    httpOption: FREE,
  },
});

const SERVICE: Shape = top({
  spec: {
    ...free(
      'selector', 'clusterIP', 'clusterIPs', 'type', 'externalIPs', 'sessionAffinity', 'loadBalancerIP', 'loadBalancerSourceRanges',
      'externalName', 'externalTrafficPolicy', 'healthCheckNodePort', 'publishNotReadyAddresses', 'sessionAffinityConfig',
      'ipFamilies', 'ipFamilyPolicy', 'allocateLoadBalancerNodePorts', 'loadBalancerClass', 'internalTrafficPolicy', 'trafficDistribution',
    ),
    ports: free('name', 'protocol', 'appProtocol', 'port', 'targetPort', 'nodePort'),
  },
});

const ENDPOINT_ADDRESS = free('ip', 'hostname', 'nodeName', 'targetRef');
const ENDPOINT_PORT = free('name', 'port', 'protocol', 'appProtocol');
const ENDPOINTS: Shape = top({ subsets: { addresses: ENDPOINT_ADDRESS, notReadyAddresses: ENDPOINT_ADDRESS, ports: ENDPOINT_PORT } });

const ENDPOINT_SLICE: Shape = top({
  addressType: FREE,
  endpoints: { ...free('addresses', 'hostname', 'targetRef', 'deprecatedTopology', 'nodeName', 'zone', 'hints'), conditions: free('ready', 'serving', 'terminating') },
  ports: ENDPOINT_PORT,
});

const SECRET: Shape = top(free('type', 'data', 'stringData', 'immutable'));

const SHAPES: ReadonlyMap<string, Shape> = new Map([
  ['Ingress', INGRESS],
  ['Service', SERVICE],
  ['Endpoints', ENDPOINTS],
  ['EndpointSlice', ENDPOINT_SLICE],
  ['Secret', SECRET],
  ...GATEWAY_API_SHAPES.map(([kind, body]) => [kind, top(body)] as const),
]);

/** Reports every field of `doc` (a document of `kind`) that its kind does not define. */
export function checkKnownFields(c: Check, doc: Record<string, unknown>, kind: string): void {
  const shape = SHAPES.get(kind);
  if (shape !== undefined) walk(c, doc, shape, undefined);
}

/**
 * Where the walk is, as a chain up to the document: the path string is made only for an unknown
 * field (nearly every document has none, and making the path of every field it walked cost a cold
 * start of 10,000 apps more than the walk itself).
 */
interface At {
  readonly up: At | undefined;
  readonly step: string | number;
}

function pathOf(at: At | undefined): string {
  if (at === undefined) return '';
  const up = pathOf(at.up);
  return typeof at.step === 'number' ? index(up, at.step) : field(up, at.step);
}

function walk(c: Check, value: unknown, shape: Shape, at: At | undefined): void {
  // A list of objects has the shape of its items; wrong types are the kind checks' to report.
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) walk(c, value[i], shape, { up: at, step: i });
    return;
  }
  if (!isObject(value)) return;
  const any = Object.hasOwn(shape, ANY_KEY) ? shape[ANY_KEY] : undefined;
  for (const key of Object.keys(value)) {
    const known = any ?? (Object.hasOwn(shape, key) ? shape[key] : undefined);
    if (known === undefined) {
      const near = nearest(key, Object.keys(shape));
      c.fail(field(pathOf(at), key), `unknown field ${JSON.stringify(key)}${near === undefined ? '' : ` (did you mean ${JSON.stringify(near)}?)`}`);
    } else if (known !== FREE) {
      walk(c, value[key], known, { up: at, step: key });
    }
  }
}

/** The known name closest to `name` by edit distance, when it is close enough to be a typo. */
export function nearest(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of [...known].sort()) {
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  // At most a third of the name wrong (two edits for short names): `visiblity`, `serviceNmae`, `Path`.
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) && bestDistance < name.length ? best : undefined;
}

/** Levenshtein distance with adjacent transpositions (optimal string alignment). */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 8) return Infinity;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (prev2[j - 2] as number) + 1);
      row.push(d);
    }
    [prev2, prev] = [prev, row];
  }
  return prev[b.length] as number;
}
