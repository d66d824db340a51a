// The CustomResourceDefinitions of Sluice's policy kinds (sluice-kinds.ts), installed by every
// `sluice install`. Structural schemas: targetRefs are typed (the API server refuses a malformed
// one at apply time); the policy blocks keep unknown fields, because Sluice validates them itself
// and reports each problem with its field path in the object's status and its own log, rather than
// the API server pruning a field silently.
import type { Manifest } from './install.ts';
import { SLUICE_KINDS } from './sluice-kinds.ts';

type Schema = Record<string, unknown>;
const str: Schema = { type: 'string' };
const open: Schema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

function targetRefs(kinds: readonly string[]): Schema {
  return {
    type: 'array',
    maxItems: 16,
    items: {
      type: 'object',
      required: ['group', 'kind', 'name'],
      properties: { group: str, kind: { type: 'string', enum: [...kinds] }, name: { type: 'string', minLength: 1 }, sectionName: str },
    },
  };
}

const SPECS: Readonly<Record<string, Schema>> = {
  TrafficPolicy: {
    ...open,
    properties: {
      targetRefs: targetRefs(['Gateway', 'HTTPRoute', 'GRPCRoute']),
      ...Object.fromEntries(['rateLimit', 'extAuthz', 'retry', 'timeouts', 'ipAccess', 'jwt', 'requestBody'].map((f) => [f, open])),
    },
  },
  BackendPolicy: {
    ...open,
    required: ['targetRefs'],
    properties: { targetRefs: targetRefs(['Service', 'Upstream']), ...Object.fromEntries(['circuitBreakers', 'outlierDetection', 'healthCheck'].map((f) => [f, open])) },
  },
};

export function sluiceCrdManifests(): Manifest[] {
  return SLUICE_KINDS.map((k) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${k.plural}.${k.group}`, labels: { 'app.kubernetes.io/name': 'sluice' } },
    spec: {
      group: k.group,
      names: { kind: k.kind, listKind: `${k.kind}List`, plural: k.plural, singular: k.kind.toLowerCase(), categories: ['sluice'] },
      scope: 'Namespaced',
      versions: k.versions.map((name) => ({
        name,
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: SPECS[k.kind], status: open } } },
      })),
    },
  }));
}
