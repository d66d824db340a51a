// `sluice install knative` and `sluice install gateway-api` let Sluice read the Gloo Edge kinds it
// watches (gateway.solo.io, gloo.solo.io) and write their status, and nothing more on them.
import assert from 'node:assert/strict';
import { PassThrough, type Writable } from 'node:stream';
import { test } from 'node:test';
import { runInstallGatewayApi, runInstallKnative, type InstallFlags } from '../../src/cli/commands/install.ts';
import { GLOO_KINDS } from '../../src/k8s/gloo-kinds.ts';
import { parseManifests } from './install-checks.ts';

const flags: InstallFlags = { namespace: 'gw', image: 'registry.example/sluice:1.2.3', replicas: '2', ingressClass: 'sluice.ingress.networking.knative.dev' };
type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };

async function capture(run: (f: InstallFlags, out: Writable) => Promise<void>): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await run(flags, out);
  return Buffer.concat(chunks).toString('utf8');
}

for (const [name, run] of [['knative', runInstallKnative], ['gateway-api', runInstallGatewayApi]] as const) {
  test(`install ${name}: the ClusterRole reads every Gloo kind and writes only their status`, async () => {
    const role = parseManifests(await capture(run)).find((o) => o.kind === 'ClusterRole') as unknown as { rules: Rule[] };
    const verbs = (group: string, res: string) =>
      role.rules.filter((r) => r.apiGroups.includes(group) && r.resources.includes(res)).flatMap((r) => r.verbs).sort();
    for (const k of GLOO_KINDS) {
      assert.deepEqual(verbs(k.group, k.plural), ['get', 'list', 'watch'], `${k.plural}.${k.group}`);
      assert.deepEqual(verbs(k.group, `${k.plural}/status`), ['get', 'patch', 'update'], `${k.plural}/status.${k.group}`);
    }
    assert.ok(!role.rules.some((r) => r.apiGroups.some((g) => g.endsWith('solo.io')) && r.verbs.some((v) => ['create', 'delete', 'deletecollection'].includes(v))), 'no create or delete on Gloo kinds');
  });
}
