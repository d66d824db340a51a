// The fast YAML path (js-yaml) against the `yaml` package path, as test/proxy/fast/ holds the HTTP
// parser to llhttp: whenever the fast path answers, its documents (values, document indices) and
// the validated ParsedFile must be deep-equal to the `yaml` path's. The table also states which
// texts the fast path must answer (so it is not trivially declining everything) and which it must
// leave to the `yaml` path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appYaml, scaleApp } from '../../bench/ingress-gen.ts';
import { parseConfigText, parsedYAML, withRejectionLines } from '../../src/sources/yaml-docs.ts';
import { parseYAMLFast } from '../../src/sources/yaml-fast.ts';
import { parseYAMLFull } from '../../src/sources/yaml-full.ts';
import { mulberry32 } from '../support/prng.ts';
import { EDGE_SCALARS, genFile, mutate } from './yaml-gen.ts';

/** Both paths on `text`; true if the fast path answered (and then agreed). */
function agree(text: string): boolean {
  const full = parseYAMLFull(text);
  const fast = parseYAMLFast(text);
  if (fast === undefined) return false;
  assert.deepStrictEqual(fast, full, `the paths differ on ${JSON.stringify(text)}`);
  assert.deepStrictEqual(parsedYAML(fast, 'f.yaml'), parsedYAML(full, 'f.yaml'));
  return true;
}

const service = `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
  labels:
    app.kubernetes.io/name: web
    serving.knative.dev/revision: web-00001
spec:
  ports:
  - name: http
    port: 80
    targetPort: 8080
    protocol: TCP
`;
const endpoints = `apiVersion: v1
kind: Endpoints
metadata: {name: web, namespace: default}
subsets:
  - addresses:
      - ip: 10.0.0.1
      - ip: "10.0.0.2"
    ports:
      - {name: http, port: 8080}
`;
const configMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: config-network
  namespace: knative-serving
  annotations:
    note: 'it''s "quoted"'
data:
  # a comment inside the map
  ingress-class: sluice.ingress.networking.knative.dev
  domain-template: "{{.Name}}.{{.Namespace}}.{{.Domain}}"
  nginx.conf: |
    events {}
    ---
    http { server { listen 80; } } # not a comment
  folded: >-
    one
    two

    three
  empty: ""
  color: "#fff"
`;
const list = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: a}
  spec: {ports: [{port: 80}]}
- apiVersion: v1
  kind: Service
  metadata: {name: b}
  spec: {ports: [{port: 0}]}
`;

// [what, text, whether the fast path answers]
const TABLE: ReadonlyArray<readonly [string, string, boolean]> = [
  ['a Service', service, true],
  ['Endpoints, flow style', endpoints, true],
  ['a ConfigMap with block scalars (`---` and `#` inside)', configMap, true],
  ['a List', list, true],
  ['a generated Knative Ingress (the scale bench)', appYaml(scaleApp(7, 9001, 9002)), true],
  ['several documents', `${service}---\n${endpoints}---\n${configMap}`, true],
  ['leading ---', `---\n${service}`, true],
  ['trailing ---', `${service}---\n`, true],
  ['empty documents in between', `${service}---\n---\n${endpoints}`, true],
  ['a comment-only document in between', `${service}---\n# nothing here\n---\n${endpoints}`, true],
  ['--- with a comment', `--- # first\n${service}--- # second\n${endpoints}`, true],
  ['... document end markers', `${service}...\n---\n${endpoints}...\n`, true],
  ['... then a document without ---', `${service}...\n${endpoints}`, true],
  ['... twice, then a document', `...\n...\n${service}`, true],
  ['a comment before the first document', `# header\n---\n${service}`, true],
  ['only comments', '# one\n# two\n', true],
  ['empty text', '', true],
  ['only line breaks and spaces', '\n  \n\n', true],
  ['CRLF line breaks', `${service}---\n${endpoints}`.replace(/\n/g, '\r\n'), true],
  ['no final line break', 'a: 1\nb: [x, y]', true],
  ['a top-level scalar document', 'just a string\n', true],
  ['a top-level sequence', '- a\n- b\n', true],
  ['unicode keys and values', 'é: ü\n日本: 語\nemoji: 😀\nescaped: "\\u00e9\\U0001F600\\x41"\n', true],
  ['double-quoted escapes', 'a: "\\t\\\\\\"\\/\\N\\_\\L\\P\\e\\0\\a\\b\\v\\f\\ "\n', true],
  ['single quotes', "a: 'it''s'\nb: ''\n", true],
  ['a quoted key with a colon', '"a: b": c\n\'d\': e\n', true],
  ['keys that are other scalars', 'true: a\n1: b\n0x10: c\n1.50: d\n.inf: e\n-0: f\n1e3: g\n', true],
  ['a __proto__ key', '__proto__: {polluted: yes}\nconstructor: x\n', true],
  ['a plain scalar over several lines', 'a: this is\n  continued\n  again\nb: x\n', true],
  ['a plain scalar with # and :', 'a: x#y\nb: http://x:80/p?q#f\nc: a:b\n', true],
  ['tabs after the indentation', 'a:\tb\nc: d\t# c\n', true],
  ['flow collections', '{a: 1, b: [x, y, ], c: {d: e,}, f: {g, h: i}, j: [k: l], "m":n, o: }\n', true],
  ['indented --- and # in a literal block scalar', 'a: |\n  x\n  ---\n  # y\n\n  z\nb: 1\n', true],
  ['folded with more-indented lines', 'a: >\n  one\n    two\n  three\n\n  four\nb: 1\n', true],
  ['block scalar at the end without a line break', 'a: |-\n  x\n  y', true],
  ['merge keys', 'a:\n  <<: {x: 1, y: 2}\n  y: 3\nb:\n  y: 3\n  <<: {x: 1, y: 2}\nc:\n  <<: [{x: 1}, {x: 2, z: 3}]\n', true],
  ['a quoted << is an ordinary key', '"<<": {x: 1}\n', true],
  ['deep nesting', `${'['.repeat(150)}${']'.repeat(150)}\n`, false], // js-yaml's maxDepth
  ['a null key', '~: a\n', false],
  ['an empty key', ': a\n', false],
  ['a quoted "null" key (left to the yaml path with real null keys)', '"null": a\n', false],
  ['anchors and aliases', 'a: &x {b: 1}\nc: *x\n', false],
  ['an alias bomb', 'a: &a [1, 1]\nb: &b [*a, *a]\nc: [*b, *b]\n', false],
  ['a tag', 'a: !!str 1\n', false],
  ['a timestamp tag', 'a: !!timestamp 2024-01-01\n', false],
  ['%YAML 1.1', '%YAML 1.1\n---\na: yes\n', false],
  ['an explicit key', '? [a, b]\n: c\n', false],
  ['a flow sequence as a key', '[a]: b\n', false],
  ['a flow mapping as a key', '{a: b}: c\n', false],
  ['a collection as a key in a flow mapping', '{[a], b: c}\n', false],
  ['a tab as indentation', 'a:\n\tb: 1\n', false],
  ['a multi-line double-quoted scalar', 'a: "x\n  y"\n', false],
  ['an under-indented multi-line quoted scalar', 'a:\n  b: "x\n y"\n', false],
  ['a multi-line flow sequence', 'a: [1,\n  2]\n', false],
  ['an under-indented multi-line flow mapping', 'a:\n  b: {c: 1,\n d: 2}\n', false],
  ['a comment right after a quoted scalar', 'a: "x"#c\n', false],
  ['an empty sequence entry', 'a:\n  -\n    - x\n  - y\n', false],
  ['a compact nested sequence', '- - a\n  - b\n', false],
  ['--- followed by text', '---a: 1\n', false],
  ['--- followed by a block sequence', '--- - a\n', false],
  ['... followed by text', 'a: 1\n... b\n', false],
  ['an explicit block indentation', 'a: |2\n   x\n', false],
  ['keep chomping', 'a: |+\n  x\n\n', false],
  ['a second byte order mark', 'a: 1\n---\n\uFEFFb: 2\n', false],
  ['a lone carriage return', 'a: 1\rb: 2\n', false],
  ['a very long line', `a: ${'x'.repeat(1200)}\n`, false],
  ['a duplicate key', 'a: 1\na: 2\n', false],
  ['keys equal only as strings', '1: a\n"1": b\n', false],
  ['a syntax error in the second document', `${service}---\nkind: [Service\n---\n${endpoints}`, false],
  ['a nested compact mapping', 'a: b: c\n', false],
];

for (const [what, text, fast] of TABLE) {
  test(`fast path ${fast ? 'answers as' : 'leaves to'} the yaml package: ${what}`, () => {
    assert.equal(agree(text), fast);
  });
}

test('scalars resolve as in YAML 1.2 core in both paths (timestamps, yes/on stay strings)', () => {
  const expected: ReadonlyArray<readonly [string, unknown]> = [
    ['2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'], ['2024-01-01', '2024-01-01'], ['yes', 'yes'], ['on', 'on'], ['y', 'y'],
    ['0o17', 15], ['0x1F', 31], ['+0x1F', '+0x1F'], ['0b101', '0b101'], ['012', 12], ['1_000', '1_000'], ['-0', -0], ['+12', 12],
    ['1e3', 1000], ['1.', 1], ['-.5', -0.5], ['.inf', Infinity], ['-.Inf', -Infinity], ['.NaN', NaN], ['True', true], ['tRue', 'tRue'],
    ['null', null], ['~', null], ['NULL', null], ['nULL', 'nULL'], ['', null], ['"1"', '1'], ["'0x1F'", '0x1F'], ['"true"', 'true'], ['"~"', '~'],
  ];
  for (const [text, value] of expected) {
    const full = parseYAMLFull(`v: ${text}\n`);
    assert.deepStrictEqual(full, [{ doc: 0, value: { v: value } }], `the yaml path on ${text}`);
    assert.ok(agree(`v: ${text}\n`), `the fast path answers on ${text}`);
  }
  for (const s of EDGE_SCALARS) {
    agree(`v: ${s}\n`);
    agree(`- ${s}\n`);
    agree(`{v: ${s}}\n`);
    agree(`v: ${JSON.stringify(s)}\n`);
  }
});

test('document indices and syntax errors through parseConfigText are those of the yaml path', () => {
  const text = `---\n${service}---\n# only a comment\n---\n${endpoints}---\nkind: [Service\n---\n${list}`;
  const { entries } = parseConfigText(text, 'm.yaml');
  assert.deepEqual(entries.map((e) => [e.origin.doc, e.origin.item, e.outcome.kind]), [
    [0, undefined, 'resource'],
    [2, undefined, 'resource'],
    [3, undefined, 'rejected'],
    [4, 0, 'resource'],
    [4, 1, 'rejected'],
  ]);
  assert.deepStrictEqual(parseConfigText(text, 'm.yaml'), withRejectionLines(parsedYAML(parseYAMLFull(text), 'm.yaml'), text));
  // without the broken document, the fast path reads the file, with the same indices
  const good = text.replace('kind: [Service\n', '');
  assert.ok(agree(good));
  assert.deepEqual(parseConfigText(good, 'm.yaml').entries.map((e) => e.origin.doc), [0, 2, 4, 4]);
});

test('strings read by the fast path are detached copies, not slices of the file text', () => {
  const docs = parseYAMLFast(configMap);
  assert.ok(docs !== undefined && docs[0] !== undefined && 'value' in docs[0]);
  const data = (docs[0].value as { data: Record<string, string> }).data;
  assert.equal(data['ingress-class'], 'sluice.ingress.networking.knative.dev');
  assert.equal(data['nginx.conf'], 'events {}\n---\nhttp { server { listen 80; } } # not a comment\n');
});

test('seeded fuzz: generated manifests are read alike, and mostly by the fast path', () => {
  const rnd = mulberry32(20_261_126);
  let answered = 0;
  const n = 400;
  for (let i = 0; i < n; i++) if (agree(genFile({ rnd, wild: false }))) answered++;
  // the tame generator writes what people and tools write; the guards must not decline most of it
  assert.ok(answered > n * 0.8, `the fast path answered only ${answered} of ${n}`);
});

test('seeded fuzz: wild and damaged YAML is read alike whenever the fast path answers', () => {
  const rnd = mulberry32(7);
  let answered = 0;
  for (let i = 0; i < 1200; i++) {
    const text = genFile({ rnd, wild: true });
    if (agree(rnd() < 0.6 ? mutate(rnd, text) : text)) answered++;
  }
  assert.ok(answered > 100, `the fast path answered only ${answered} times`);
});
