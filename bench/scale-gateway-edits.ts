// The Gateway, Namespace and ReferenceGrant edits of the Gateway API scale run
// (bench/scale-gateway.ts, bench/scale-gateway-profile.ts): each edit and its undo, as the file
// writes a user would make. The run's config holds, besides the scale routes, one route in
// namespace `other` that sends to the Service of scale route 0 (served only while the
// ReferenceGrant is there). With the routes over several namespaces, the listener's allowedRoutes
// go from All to a label Selector every Namespace matches, and one Namespace is relabelled out of it and back.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crossGrantYaml, crossRouteYaml, DEFAULT_LAYOUT, gatewayYaml, namespaceYaml, scaleKindOf, scaleNamespace, type ScaleLayout } from './httproute-gen.ts';

export interface FileEdit {
  readonly name: string;
  /** writes (or removes) the file; returns its path relative to the config dir */
  readonly apply: (dir: string) => string;
}

const write = (rel: string, text: string) => (dir: string): string => {
  writeFileSync(join(dir, rel), text);
  return rel;
};

/** The Namespaces of a layout, `relabelled` (if given) out of the Selector's label. */
function namespacesYaml(layout: ScaleLayout, relabelled?: string): string {
  return Array.from({ length: layout.namespaces }, (_, i) => scaleNamespace(layout, i))
    .map((ns) => namespaceYaml(ns, ns === relabelled ? 'elsewhere' : undefined))
    .join('---\n');
}

/** Pairs of edits: each second one undoes the first. */
export function gatewayEdits(layout: ScaleLayout = DEFAULT_LAYOUT): readonly FileEdit[] {
  const kind = scaleKindOf(layout, 0);
  const target = scaleNamespace(layout, 0);
  const relabelled = scaleNamespace(layout, 7);
  return [
    { name: 'Gateway: add a listener (port 8080, a host no route has)', apply: write('gateway.yaml', gatewayYaml({ extraListener: true })) },
    { name: 'Gateway: remove that listener', apply: write('gateway.yaml', gatewayYaml()) },
    ...(layout.namespaces > 1
      ? [
          { name: 'Gateway: allowedRoutes All -> Selector (every Namespace matches)', apply: write('gateway.yaml', gatewayYaml({ from: 'Selector' })) },
          { name: `Namespace ${relabelled}: relabelled out of the Selector`, apply: write('namespaces.yaml', namespacesYaml(layout, relabelled)) },
          { name: `Namespace ${relabelled}: relabelled back`, apply: write('namespaces.yaml', namespacesYaml(layout)) },
          { name: 'Gateway: allowedRoutes Selector -> All', apply: write('gateway.yaml', gatewayYaml()) },
        ]
      : []),
    { name: 'Gateway: allowedRoutes All -> Same', apply: write('gateway.yaml', gatewayYaml({ from: 'Same' })) },
    { name: 'Gateway: allowedRoutes Same -> All', apply: write('gateway.yaml', gatewayYaml()) },
    { name: 'ReferenceGrant: grant a cross-namespace backend', apply: write('grant.yaml', crossGrantYaml(kind, target)) },
    {
      name: 'ReferenceGrant: revoke it',
      apply: (dir) => {
        rmSync(join(dir, 'grant.yaml'), { force: true });
        return 'grant.yaml';
      },
    },
  ];
}

/** Adds the cross-namespace route (once) and puts the Gateway, Namespaces and grant as the edits start from them. */
export function prepareGatewayEdits(dir: string, layout: ScaleLayout = DEFAULT_LAYOUT): void {
  mkdirSync(join(dir, 'cross'), { recursive: true });
  if (!existsSync(join(dir, 'cross', 'cross.yaml'))) writeFileSync(join(dir, 'cross', 'cross.yaml'), crossRouteYaml(scaleKindOf(layout, 0), scaleNamespace(layout, 0)));
  writeFileSync(join(dir, 'gateway.yaml'), gatewayYaml());
  if (layout.namespaces > 1) writeFileSync(join(dir, 'namespaces.yaml'), namespacesYaml(layout));
  rmSync(join(dir, 'grant.yaml'), { force: true });
}
