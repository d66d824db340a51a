// `sluice validate` reads with serve's settings: the config limits, the cluster domain (short host
// forms decide host conflicts) and the ingress class, so what it says matches what serve would do.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runSluice } from '../support/sluice.ts';

const svc = (name: string) => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: default}\nspec: {ports: [{port: 80}]}\n`;
const ing = (name: string, host: string, annotations = '') => `apiVersion: networking.internal.knative.dev/v1alpha1
kind: Ingress
metadata: {name: ${name}, namespace: default${annotations}}
spec:
  rules:
  - hosts: [${host}]
    visibility: ClusterLocal
    http:
      paths:
      - splits:
        - {serviceName: svc, serviceNamespace: default, servicePort: 80}
`;

describe('sluice validate takes serve\'s reading flags', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-validate-flags-'));
    writeFileSync(join(dir, 'many.yaml'), [svc('svc'), svc('a'), svc('b')].join('---\n'));
    // Two hosts that are one under --cluster-domain corp.example (a.default.svc is the short form of both).
    writeFileSync(join(dir, 'one.yaml'), ing('one', 'a.default.svc.corp.example'));
    writeFileSync(join(dir, 'two.yaml'), ing('two', 'a.default.svc'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--max-config-documents rejects a file with more documents, naming the flag', async () => {
    const r = await runSluice(['validate', dir, '--max-config-documents', '2']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /many\.yaml.*--max-config-documents/);
  });

  it('--cluster-domain decides which short host forms collide', async () => {
    const plain = await runSluice(['validate', dir]);
    assert.doesNotMatch(plain.stdout, /HostConflict/, plain.stdout);
    const corp = await runSluice(['validate', dir, '--cluster-domain', 'corp.example']);
    assert.match(corp.stdout, /HostConflict/, corp.stdout);
  });

  it('--require-ingress-class leaves out ingresses without the class annotation, as serve would', async () => {
    const r = await runSluice(['validate', dir, '--cluster-domain', 'corp.example', '--require-ingress-class']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /HostConflict/, r.stdout);
  });
});
