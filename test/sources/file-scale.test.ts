// Many files: all are read at start, and an edit re-reads only the edited file (counted through
// the onParse hook, not timed).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { servicePort, sleep, startSource, tempDir, waitFor } from './helpers.ts';

const FILES = 2000;

function ingress(i: number): string {
  return `apiVersion: networking.internal.knative.dev/v1alpha1
kind: Ingress
metadata: {name: ing-${i}, namespace: default}
spec:
  rules:
  - hosts: [ing-${i}.example.com]
    http:
      paths:
      - splits: [{serviceName: svc-${i}, serviceNamespace: default, servicePort: 80}]
`;
}

test(`${FILES} files are read; editing one re-parses only that one`, async () => {
  const { dir, cleanup } = tempDir();
  try {
    for (let i = 0; i < FILES; i++) writeFileSync(join(dir, `ing-${String(i).padStart(5, '0')}.yaml`), ingress(i));
    writeFileSync(join(dir, 'svc.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: svc}\nspec: {ports: [{port: 80}]}\n');
    const h = await startSource(dir, { rescanIntervalMs: 200 });
    try {
      assert.equal(h.latest().resources.length, FILES + 1);
      assert.equal(h.latest().rejections.length, 0);
      assert.equal(h.parses.length, FILES + 1);
      assert.equal(new Set(h.parses).size, FILES + 1);

      const before = h.parses.length;
      writeFileSync(join(dir, 'svc.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: svc}\nspec: {ports: [{port: 8080}]}\n');
      await waitFor(() => servicePort(h.latest(), 'svc') === 8080, 'edit of one file among many');
      assert.deepEqual(h.parses.slice(before), ['svc.yaml']);
      assert.equal(h.latest().resources.length, FILES + 1);

      // Several periodic full rescans (stat only) later, still nothing else was parsed.
      const pushes = h.states.length;
      await sleep(700);
      assert.deepEqual(h.parses.slice(before), ['svc.yaml']);
      assert.equal(h.states.length, pushes, 'an unchanged directory is not pushed again');
    } finally {
      await h.src.stop();
    }
  } finally {
    cleanup();
  }
});
