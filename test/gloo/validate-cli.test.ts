// `sluice validate` reports what serve would put in Gloo statuses, with file and line: a field
// Sluice does not serve (an Enterprise one, a misspelling), a route it leaves out, a reference that
// does not resolve (warnings; errors with --strict), and a document with a wrongly typed field
// (an error).
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigDir } from '../support/config.ts';
import { runSluice } from '../support/sluice.ts';

const YAML = `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata:
  name: app
  namespace: default
spec:
  virtualHost:
    domains: ['app.example.com']
    options:
      waf:
        customInterventionMessage: no
    routes:
    - matchers:
      - prefix: /
      routeAction:
        single:
          upstream:
            name: ghost
            namespace: gloo-system
      options:
        dlp: {}
---
apiVersion: gateway.solo.io/v1
kind: RouteTable
metadata:
  name: broken
  namespace: default
spec:
  routes: nope
`;

describe('sluice validate with Gloo resources', () => {
  let cfg: ConfigDir;
  before(async () => {
    cfg = await ConfigDir.create();
    await writeFile(join(cfg.dir, 'gloo.yaml'), YAML);
  });
  after(async () => cfg?.cleanup());

  it('lists each Gloo status problem at its line, and wrongly typed fields as errors', async () => {
    const r = await runSluice(['validate', cfg.dir]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.deepEqual(lines, [
      'gloo.yaml:29: RouteTable default/broken: spec.routes: must be a list, got string',
      'warning: gloo.yaml:10: VirtualService default/app: spec.virtualHost.options.waf: Warning: not supported by Sluice, ignored',
      'warning: gloo.yaml:16: VirtualService default/app: spec.virtualHost.routes[0].routeAction.single: Warning: Upstream "gloo-system/ghost" not found: requests for it get 500',
      'warning: gloo.yaml:21: VirtualService default/app: spec.virtualHost.routes[0].options.dlp: Warning: not supported by Sluice, ignored',
      `${cfg.dir}: 1 valid resource, 1 error, 3 warnings`,
    ]);
  });
});
