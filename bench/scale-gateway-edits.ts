// The Gateway and ReferenceGrant edits of the Gateway API scale run (bench/scale-gateway.ts,
// bench/scale-gateway-profile.ts): each edit and its undo, as the file writes a user would make.
// The run's config holds, besides the scale routes, one HTTPRoute in namespace `other` that sends
// to a Service of the bench namespace (served only while the ReferenceGrant is there).
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crossGrantYaml, crossRouteYaml, gatewayYaml, type ScaleKind } from './httproute-gen.ts';

export interface FileEdit {
  readonly name: string;
  /** writes (or removes) the file; returns its path relative to the config dir */
  readonly apply: (dir: string) => string;
}

const write = (rel: string, text: string) => (dir: string): string => {
  writeFileSync(join(dir, rel), text);
  return rel;
};

/** Pairs of edits: each second one undoes the first (the grant for routes of `kind`). */
export const gatewayEdits = (kind: ScaleKind = 'HTTPRoute'): readonly FileEdit[] => [
  { name: 'Gateway: add a listener (port 8080)', apply: write('gateway.yaml', gatewayYaml({ extraListener: true })) },
  { name: 'Gateway: remove that listener', apply: write('gateway.yaml', gatewayYaml()) },
  { name: 'Gateway: allowedRoutes All -> Same', apply: write('gateway.yaml', gatewayYaml({ from: 'Same' })) },
  { name: 'Gateway: allowedRoutes Same -> All', apply: write('gateway.yaml', gatewayYaml()) },
  { name: 'ReferenceGrant: grant a cross-namespace backend', apply: write('grant.yaml', crossGrantYaml(kind)) },
  {
    name: 'ReferenceGrant: revoke it',
    apply: (dir) => {
      rmSync(join(dir, 'grant.yaml'), { force: true });
      return 'grant.yaml';
    },
  },
];

/** Adds the cross-namespace route (once, of `kind`) and puts the Gateway and grant as the edits start from them. */
export function prepareGatewayEdits(dir: string, kind: ScaleKind = 'HTTPRoute'): void {
  mkdirSync(join(dir, 'cross'), { recursive: true });
  if (!existsSync(join(dir, 'cross', 'cross.yaml'))) writeFileSync(join(dir, 'cross', 'cross.yaml'), crossRouteYaml(kind));
  writeFileSync(join(dir, 'gateway.yaml'), gatewayYaml());
  rmSync(join(dir, 'grant.yaml'), { force: true });
}
