// `sluice validate` (the real CLI) reports what `serve` would: unknown fields as errors with the
// closest known name, missing Services, ports and Secrets, unusable Secrets and host conflicts as
// warnings (`--strict`: errors), every line naming file:line, for a directory or a single file.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runSluice } from '../support/sluice.ts';

const TYPO = `apiVersion: networking.internal.knative.dev/v1alpha1
kind: Ingress
metadata: {name: hello, namespace: default}
spec:
  rules:
  - hosts: [hello.default.svc.cluster.local]
    visiblity: ClusterLocal
    http:
      paths:
      - splits:
        - {serviceName: svc, serviceNamespace: default, servicePort: 80}
`;

const APP = `apiVersion: networking.internal.knative.dev/v1alpha1
kind: Ingress
metadata: {name: app, namespace: default, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  tls:
  - hosts: [app.example.com]
    secretName: missing-cert
  - hosts: [app.example.com]
    secretName: bad-cert
  rules:
  - hosts: [app.example.com]
    http:
      paths:
      - splits:
        - {serviceName: nosvc, serviceNamespace: default, servicePort: 80, percent: 50}
        - serviceName: svc
          serviceNamespace: default
          servicePort: 81
          percent: 50
---
apiVersion: v1
kind: Service
metadata: {name: svc}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Secret
metadata: {name: bad-cert}
type: kubernetes.io/tls
stringData: {tls.crt: nope, tls.key: nope}
`;

const OTHER = `# a younger ingress claiming a host app.yaml serves
apiVersion: networking.internal.knative.dev/v1alpha1
kind: Ingress
metadata: {name: other, namespace: default, creationTimestamp: "2025-01-01T00:00:00Z"}
spec:
  rules:
  - hosts: [other.example.com, app.example.com]
    http:
      paths:
      - splits:
        - {serviceName: svc, serviceNamespace: default, servicePort: 80}
`;

describe('sluice validate reports what serve would', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-validate-parity-'));
    writeFileSync(join(dir, 'app.yaml'), APP);
    writeFileSync(join(dir, 'other.yaml'), OTHER);
    writeFileSync(join(dir, 'typo.yaml'), TYPO);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const REFERENCES = [
    'app.yaml:6: Ingress default/app: spec.tls[0]: SecretNotFound: Secret "default/missing-cert" not found',
    'app.yaml:8: Ingress default/app: spec.tls[1]: InvalidSecret: Secret "default/bad-cert" has an unreadable certificate or key: ',
    'app.yaml:15: Ingress default/app: spec.rules[0].http.paths[0].splits[0]: ServiceNotFound: Service "default/nosvc" not found',
    'app.yaml:16: Ingress default/app: spec.rules[0].http.paths[0].splits[1]: PortNotFound: Service "default/svc" has no port 81',
    'other.yaml:7: Ingress default/other: spec.rules[0].hosts[1]: HostConflict: host "app.example.com" already served by ingress "default/app", which takes precedence',
  ];
  /** Lines compared by the prefixes above (OpenSSL's wording and the conflict's explanation vary). */
  const matches = (lines: string[], prefixes: string[]) => lines.length === prefixes.length && lines.every((l, i) => l.startsWith(prefixes[i] as string));

  it('a single file: an unknown field is an error naming the closest known field and its line', async () => {
    const file = join(dir, 'typo.yaml');
    const r = await runSluice(['validate', file]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, `${file}:7: Ingress default/hello: spec.rules[0].visiblity: unknown field "visiblity" (did you mean "visibility"?)\n${file}: 0 valid resources, 1 error\n`);
  });

  it('a directory: status problems are warnings, sorted by file and line, and the exit code is 0 without errors', async () => {
    writeFileSync(join(dir, 'typo.yaml'), TYPO.replace('visiblity', 'visibility'));
    const r = await runSluice(['validate', dir]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.ok(matches(lines.slice(0, -1), REFERENCES.map((l) => `warning: ${l}`)), r.stdout);
    // the ingress whose Service is missing counts as valid: it is served, with a status
    assert.equal(lines.at(-1), `${dir}: 5 valid resources, no errors, 5 warnings`);
  });

  it('--strict makes them errors (exit 1)', async () => {
    const r = await runSluice(['validate', '--strict', dir]);
    assert.equal(r.code, 1);
    const lines = r.stdout.trimEnd().split('\n');
    assert.ok(matches(lines.slice(0, -1), REFERENCES), r.stdout);
    assert.equal(lines.at(-1), `${dir}: 5 valid resources, 5 errors`);
  });
});
