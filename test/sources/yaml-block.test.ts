// The block-style reader (yaml-block.ts) against the `yaml` package path, as yaml-fast.test.ts
// holds js-yaml to it: whenever the block reader answers, its documents must be deep-equal to the
// `yaml` path's. The table also states which texts it must answer (what generators and kubectl
// write, so it is not trivially declining everything) and which it leaves to the other paths.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scaleRouteText } from '../../bench/httproute-gen.ts';
import { appYaml, scaleApp, scaleFileText } from '../../bench/ingress-gen.ts';
import { parsedYAML } from '../../src/sources/yaml-docs.ts';
import { parseYAMLBlock } from '../../src/sources/yaml-block.ts';
import { parseYAMLFull } from '../../src/sources/yaml-full.ts';
import { mulberry32 } from '../support/prng.ts';
import { EDGE_SCALARS, genFile, mutate } from './yaml-gen.ts';

/** Both paths on `text`; true if the block reader answered (and then agreed). */
function agree(text: string): boolean {
  const block = parseYAMLBlock(text);
  // The yaml package's parse is most of this file's CPU and the fuzz texts are mostly declined: only
  // an answer is compared.
  if (block === undefined) return false;
  const full = parseYAMLFull(text);
  assert.deepStrictEqual(block, full, `the paths differ on ${JSON.stringify(text)}`);
  assert.deepStrictEqual(parsedYAML(block, 'f.yaml'), parsedYAML(full, 'f.yaml'));
  return true;
}

const kubectl = `apiVersion: v1
kind: Service
metadata:
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"apiVersion":"v1","kind":"Service"}'
  creationTimestamp: "2026-01-02T03:04:05Z"
  labels:
    app: web
  name: web
  namespace: default
  resourceVersion: "1234"
spec:
  clusterIP: 10.96.0.12
  ports:
  - name: http
    port: 80
    protocol: TCP
    targetPort: 8080
  selector:
    app: web
  type: ClusterIP
status:
  loadBalancer: {}
`;

// [what, text, whether the block reader answers]
const TABLE: ReadonlyArray<readonly [string, string, boolean]> = [
  ['a generated Knative Ingress (the scale bench)', appYaml(scaleApp(7, 9001, 9002)), true],
  ['100 generated apps in one file', scaleFileText(0, 100, 100, 9001, 9002), true],
  ['kubectl get -o yaml (sequences at their key\'s indentation, {} and quoted values)', kubectl, true],
  ['leading ---', `---\n${kubectl}`, true],
  ['trailing ---', `${kubectl}---\n`, true],
  ['empty documents in between', `${kubectl}---\n---\n${kubectl}`, true],
  ['a comment-only document in between', `${kubectl}---\n# nothing here\n---\n${kubectl}`, true],
  ['--- with a comment', `--- # first\n${kubectl}--- # second\na: 1\n`, true],
  ['a comment before the first document', `# header\n---\n${kubectl}`, true],
  ['comments at any indentation and blank lines', 'a:\n  # c\n\n  b: 1 # x\n      # deep\nc: [] # e\n', true],
  ['only comments', '# one\n# two\n', true],
  ['empty text', '', true],
  ['only line breaks and spaces', '\n  \n\n', true],
  ['no final line break', 'a: 1\nb: x', true],
  ['an indented top-level mapping', '  a: 1\n  b:\n    c: 2\n', true],
  ['a top-level sequence', '- a\n- b: 1\n  c: 2\n-   d: 3\n    e: [] \n', true],
  ['a key with an empty value, at the end and before a key', 'a:\nb: 1\nc:\n', true],
  ['a sequence under a key in a compact mapping', '- a:\n  - x\n  b: 1\n', true],
  ['quoted keys and values', '"a: b": c\n\'d\': e\n"f" : \'it\'\'s\'\ng: "x \\"y\\" \\\\ \\/ \\n \\t"\nh: ""\n', true],
  ['plain scalars with #, :, commas and dashes', 'a: x#y\nb: http://x:80/p?q#f\nc: a:b\nd: x, y\ne: -1\nf: -x\ng: a - b\n', true],
  ['trailing spaces', 'a: b   \nc: "d"  \n', true],
  ['unicode keys and values', 'é: ü\n日本: 語\n', true],
  ['keys with spaces and dots', 'a b: 1\nk8s.io/x: 2\n', true],
  ['a generated HTTPRoute with its Services (flow collections on one line)', scaleRouteText({ shape: 'HTTPRoute', namespaces: 100 }, 7, 9001, 9002), true],
  ['flow collections', 'a: [x, y]\n', true],
  ['a flow mapping', 'a: {b: 1}\n', true],
  ['flow collections as values and sequence entries', 'a: [{ b: "x, y", c: [1, -2, .5, true, ~, \'it\'\'s\'], d: {}, e: [ ] }, [[]], a b, x#y] # c\nb:\n- [1]\n- {k: v}\n', true],
  ['a flow mapping with quoted keys', 'a: { "b c": 1, \'d\' : 2 }\n', true],
  ['a single-pair mapping in a flow sequence', 'a: [b: c]\n', false],
  ['a quoted single-pair mapping in a flow sequence', 'a: ["b": c]\n', false],
  ['a flow mapping key without a value', 'a: {b, c: 1}\n', false],
  ['a flow mapping entry with an empty value', 'a: {b: , c: 1}\n', false],
  ['a JSON-like flow key', 'a: {"b":1}\n', false],
  ['a plain scalar with a colon in a flow collection', 'a: [http://x]\n', false],
  ['an empty flow entry', 'a: [x, , y]\n', false],
  ['a trailing comma in a flow collection', 'a: [x, y, ]\n', false],
  ['a duplicate flow key', 'a: {b: 1, b: 2}\n', false],
  ['a flow mapping of 40 keys', `a: {${Array.from({ length: 40 }, (_, i) => `k${i}: ${i}`).join(', ')}}\n`, true],
  ['a duplicate of an early key in a long flow mapping', `a: {${Array.from({ length: 40 }, (_, i) => `k${i}: ${i}`).join(', ')}, k1: x}\n`, false],
  ['a comment inside a flow collection', 'a: [x, # c\n  y]\n', false],
  ['a flow collection over several lines', 'a: [x,\n  y]\n', false],
  ['a flow collection as an implicit key', '[a]: b\n', false],
  ['a flow collection followed by text', 'a: [x] y\n', false],
  ['a flow collection followed by a colon', '- {a: b}: c\n', false],
  ['a top-level flow collection', '{a: 1}\n', false],
  ['a dash entry in a flow sequence', 'a: [- x]\n', false],
  ['a literal block scalar', 'a: |\n  x\n', false],
  ['a folded block scalar', 'a: >-\n  x\n', false],
  ['a plain scalar over several lines', 'a: this is\n  continued\nb: x\n', false],
  ['a scalar on the line below its key', 'a:\n  x\n', false],
  ['a top-level scalar', 'just a string\n', false],
  ['keys that are other scalars', 'true: a\n', false],
  ['a number key', '1: b\n', false],
  ['a null key', '~: a\n', false],
  ['an empty key', ': a\n', false],
  ['merge keys', 'a:\n  <<: {x: 1}\n', false],
  ['a __proto__ key', '__proto__: x\n', false],
  ['a duplicate key', 'a: 1\na: 2\n', false],
  ['anchors and aliases', 'a: &x b\nc: *x\n', false],
  ['a tag', 'a: !!str 1\n', false],
  ['%YAML', '%YAML 1.2\n---\na: 1\n', false],
  ['... document end', 'a: 1\n...\n', false],
  ['--- followed by text', '--- a\n', false],
  ['an explicit key', '? a\n: b\n', false],
  ['a tab anywhere', 'a:\tb\n', false],
  ['CRLF line breaks', 'a: 1\r\nb: 2\r\n', false],
  ['a lone carriage return', 'a: 1\rb: 2\n', false],
  ['an astral character', 'a: 😀\n', false],
  ['a \\u escape', 'a: "\\u00e9"\n', false],
  ['a YAML-only escape', 'a: "\\e"\n', false],
  ['a multi-line double-quoted scalar', 'a: "x\n  y"\n', false],
  ['a multi-line single-quoted scalar', "a: 'x\n  y'\n", false],
  ['a comment right after a quoted scalar', 'a: "x"#c\n', false],
  ['text after a quoted scalar', 'a: "x" y\n', false],
  ['an empty sequence entry', 'a:\n  -\n    - x\n', false],
  ['a compact nested sequence', '- - a\n  - b\n', false],
  ['a nested compact mapping', 'a: b: c\n', false],
  ['a value ending with a colon', 'a: b:\n', false],
  ['a sequence entry after a scalar value', 'a: 1\n- b\n', false],
  ['a line indented past its mapping', 'a:\n    b: 1\n  c: 2\n', false],
  ['a key after a top-level sequence', '- a\nb: 1\n', false],
  ['a very long key', `${'k'.repeat(1100)}: x\n`, false],
  ['a syntax error', 'kind: [Service\n', false],
];

for (const [what, text, answers] of TABLE) {
  test(`block reader ${answers ? 'answers as' : 'leaves to the others'} the yaml package: ${what}`, () => {
    assert.equal(agree(text), answers);
  });
}

test('scalars resolve as in YAML 1.2 core (timestamps, yes/on stay strings)', () => {
  for (const s of EDGE_SCALARS) {
    agree(`v: ${s}\n`);
    agree(`- ${s}\n`);
    agree(`v: ${JSON.stringify(s)}\n`);
    agree(`v: '${s.replace(/'/g, "''")}'\n`);
  }
  for (const s of ['1', '-0', '+12', '012', '0o17', '0x1F', '1e3', '.5', '1.', '.inf', '-.Inf', '.NaN', 'true', 'False', '~', 'null', 'NULL', '', 'yes', '2024-01-01']) {
    assert.ok(agree(`v: ${s}\n`), `the block reader answers on ${s}`);
  }
});

test('the block reader shares equal values of a file, frozen, and copies long strings', () => {
  const docs = parseYAMLBlock(appYaml(scaleApp(3, 9001, 9002)));
  assert.ok(docs !== undefined && docs[0] !== undefined && 'value' in docs[0]);
  const rules = (docs[0].value as { spec: { rules: Array<{ http: unknown; hosts: string[] }> } }).spec.rules;
  assert.equal(rules.length, 2);
  // Knative writes each rule twice (external and cluster-local) with the same paths
  assert.equal(rules[0]?.http, rules[1]?.http);
  assert.ok(Object.isFrozen(rules[0]) && Object.isFrozen(rules[0]?.http) && Object.isFrozen(rules));
});

test('deep indentation is left to the other paths, not read recursively without bound', () => {
  let text = '';
  for (let i = 0; i < 200; i++) text += `${' '.repeat(i * 2)}k:\n`;
  assert.equal(parseYAMLBlock(`${text}${' '.repeat(400)}v: 1\n`), undefined);
});

test('seeded fuzz: generated manifests are read alike, and often by the block reader', () => {
  const rnd = mulberry32(20_261_207);
  let answered = 0;
  const n = 400;
  for (let i = 0; i < n; i++) if (agree(genFile({ rnd, wild: false }))) answered++;
  assert.ok(answered > 8, `the block reader answered only ${answered} of ${n}`);
});

test('seeded fuzz: wild and damaged YAML is read alike whenever the block reader answers', () => {
  const rnd = mulberry32(11);
  let answered = 0;
  for (let i = 0; i < 1500; i++) {
    const text = genFile({ rnd, wild: true });
    if (agree(rnd() < 0.6 ? mutate(rnd, text) : text)) answered++;
  }
  assert.ok(answered > 10, `the block reader answered only ${answered} times`);
});

test('seeded fuzz: damaged generated apps are read alike whenever the block reader answers', () => {
  const rnd = mulberry32(3);
  const base = scaleFileText(0, 3, 3, 9001, 9002) + `---\n${kubectl}`;
  let answered = 0;
  for (let i = 0; i < 1500; i++) if (agree(mutate(rnd, base))) answered++;
  assert.ok(answered > 100, `the block reader answered only ${answered} times`);
});

test('seeded fuzz: damaged generated HTTPRoutes (flow collections) are read alike whenever the block reader answers', () => {
  const rnd = mulberry32(18);
  const base = scaleRouteText({ shape: 'HTTPRoute', namespaces: 100 }, 5, 9001, 9002);
  let answered = 0;
  // 500 rounds: the file's other fuzz already takes most of the test runner's time per file
  for (let i = 0; i < 500; i++) if (agree(mutate(rnd, base))) answered++;
  assert.ok(answered > 30, `the block reader answered only ${answered} times`);
});
