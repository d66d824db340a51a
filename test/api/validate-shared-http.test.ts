// An ingress whose rules hold one http block (the YAML reader makes equal values of a file one
// object; Knative writes the same paths for the public and the cluster-local rule) has that block
// checked once when it is valid, and for each rule when it is not, so each rule's errors name it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateDocument } from '../../src/api/validate.ts';

function ingressWith(paths: unknown[]): { doc: object; reads: () => number } {
  let reads = 0;
  const http = {
    get paths() {
      reads++;
      return paths;
    },
  };
  const doc = {
    apiVersion: 'networking.internal.knative.dev/v1alpha1',
    kind: 'Ingress',
    metadata: { name: 'a', namespace: 'n' },
    spec: { rules: [{ hosts: ['a.example.com'], http }, { hosts: ['a.n.svc.cluster.local'], visibility: 'ClusterLocal', http }] },
  };
  return { doc, reads: () => reads };
}
const split = { serviceNamespace: 'n', serviceName: 's', servicePort: 80 };

test('a valid http block shared by two rules is checked once', () => {
  const { doc, reads } = ingressWith([{ path: '/', splits: [split] }]);
  const out = validateDocument(doc, { file: 'a.yaml' });
  assert.equal(out.kind, 'resource');
  // the unknown-field walk reads it too, once per rule: the checks of the block itself read it once
  const { doc: alone, reads: aloneReads } = ingressWith([{ path: '/', splits: [split] }]);
  (alone as { spec: { rules: unknown[] } }).spec.rules.pop();
  validateDocument(alone, { file: 'a.yaml' });
  assert.equal(reads(), aloneReads() + 1, `paths read ${reads()} times for two rules, ${aloneReads()} for one`);
});

test('an invalid http block shared by two rules is reported for each rule', () => {
  const { doc } = ingressWith([{ path: 'no-slash', splits: [split] }]);
  const out = validateDocument(doc, { file: 'a.yaml' });
  assert.equal(out.kind, 'rejected');
  const paths = out.kind === 'rejected' ? out.rejection.errors.map((e) => e.path) : [];
  assert.deepEqual(paths, ['spec.rules[0].http.paths[0].path', 'spec.rules[1].http.paths[0].path']);
});
