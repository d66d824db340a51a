// Rejected documents carry the line of each offending field; valid files carry none (positions are
// computed only for files with a rejected document).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatRejection } from '../../src/api/format.ts';
import { parseConfigText } from '../../src/sources/yaml-docs.ts';
import { FilePositions } from '../../src/sources/yaml-positions.ts';

function lines(text: string, file = 'f.yaml'): string[] {
  return parseConfigText(text, file).entries.flatMap((e) => (e.outcome.kind === 'rejected' ? formatRejection(e.outcome.rejection) : []));
}

const INGRESS = `# a comment before the document
---
apiVersion: networking.internal.knative.dev/v1alpha1
kind: Ingress
metadata:
  name: hello
spec:
  rules:
  - hosts: [hello.example.com]
    visiblity: ClusterLocal
    http:
      paths:
      - path: /
        splits:
        - serviceName: s
          serviceNamespace: default
          servicePort: 80
          percent: 101
`;

test('each error names the line of its field, in block and flow style', () => {
  assert.deepEqual(lines(INGRESS, 'bad.yaml'), [
    'bad.yaml:18: Ingress default/hello: spec.rules[0].http.paths[0].splits[0].percent: must be 0..100',
    'bad.yaml:10: Ingress default/hello: spec.rules[0].visiblity: unknown field "visiblity" (did you mean "visibility"?)',
  ]);
  const flow = 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 80, name: a}, {port: 0, name: b}]\n';
  assert.deepEqual(lines(flow), ['f.yaml:5: Service default/s: spec.ports[1].port: must be 1..65535']);
});

test('a missing field names the first line of its document', () => {
  const text = `apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {ports: [{port: 80}]}\n---\n\n# the next one has no spec\napiVersion: v1\nkind: Service\nmetadata: {name: b}\n`;
  assert.deepEqual(lines(text), ['f.yaml:8: Service default/b: spec: required']);
});

test('List items: a field by its line, a missing field by the line of its item', () => {
  const text = 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: a}\n  spec: {ports: [{port: 0}]}\n- apiVersion: v1\n  kind: Service\n  metadata: {name: b}\n';
  assert.deepEqual(lines(text), [
    'f.yaml:7: Service default/a: items[0].spec.ports[0].port: must be 1..65535',
    'f.yaml:8: Service default/b: items[1].spec: required',
  ]);
});

test('quoted map keys, JSON files and syntax errors have lines too', () => {
  const secret = 'apiVersion: v1\nkind: Secret\nmetadata: {name: c}\ntype: kubernetes.io/tls\ndata:\n  tls.key: a2V5\n  tls.crt: "not base64!"\n';
  assert.deepEqual(lines(secret), ['f.yaml:7: Secret default/c: data["tls.crt"]: must be base64']);
  const json = '{\n  "apiVersion": "v1",\n  "kind": "Service",\n  "metadata": {"name": "s"},\n  "spec": {"ports": [{"port": 80, "nmae": "x"}]}\n}\n';
  assert.deepEqual(lines(json, 'f.json'), ['f.json:5: Service default/s: spec.ports[0].nmae: unknown field "nmae" (did you mean "name"?)']);
  assert.match(lines('{"a": 1,\n', 'g.json')[0] ?? '', /^g\.json:2: JSON syntax error at line 2/);
  assert.match(lines('apiVersion: v1\n---\nkind: [\n').at(-1) ?? '', /^f\.yaml:4: YAML syntax error at line 4/);
});

test('the rejection holds the first line among its errors; a valid file holds no lines', () => {
  const rejected = parseConfigText(INGRESS, 'bad.yaml').entries[0]?.outcome;
  assert.ok(rejected?.kind === 'rejected');
  assert.equal(rejected.rejection.line, 10);
  assert.deepEqual(rejected.rejection.errors.map((e) => e.line), [18, 10]);
  const valid = parseConfigText(INGRESS.replace('visiblity', 'visibility').replace('101', '100'), 'ok.yaml').entries[0];
  assert.equal(valid?.outcome.kind, 'resource');
  assert.ok(!JSON.stringify(valid).includes('"line"'));
});

test('FilePositions composes only the document asked for and tolerates unreadable paths', () => {
  const positions = new FilePositions('a: 1\n---\nb:\n  c: [x, y]\n');
  assert.equal(positions.lineOf(1, 'b.c[1]'), 4);
  assert.equal(positions.lineOf(1, 'b.nothing'), 3);
  assert.equal(positions.lineOf(1, '..'), 3);
  assert.equal(positions.lineOf(7, 'b'), undefined);
});

test('odd and hostile texts never make finding lines throw', () => {
  const texts = [
    '\t- [\n',
    `${'['.repeat(5000)}\n`,
    'a: &x [b, *x]\nkind: [\n',
    '%YAML 1.2\n---\napiVersion: v1\nkind: Service\n',
    '--- |\n  text\n...\n---\n: : :\n',
    '{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"}, "spec": {"ports": [{"port": 0}]}, }',
    '\u0000\u0001\ufffe',
  ];
  for (const text of texts) {
    for (const file of ['t.yaml', 't.json']) assert.doesNotThrow(() => lines(text, file), JSON.stringify(text.slice(0, 30)));
  }
});
