// Golden scenarios of the Gloo translator: each set of examples/gloo/<set>/ (and each
// test/gloo/golden/<name>.in.yaml) -> test/gloo/golden/<name>.out.yaml: the Gloo part of the snapshot
// (virtual hosts, ports, clusters, certificate names and hosts, function bindings) and every Gloo
// object's status. Reviewers read a behaviour change as a YAML diff. Run with UPDATE=1 to rewrite
// the outputs, then review the diff.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments, stringify } from 'yaml';
import type { TranslateResult } from '../../src/snapshot/types.ts';
import { repoRoot } from '../support/sluice.ts';
import { translateDocs } from './support.ts';

const DIR = join(import.meta.dirname, 'golden');
const EXAMPLES = join(repoRoot, 'examples', 'gloo');
const update = process.env.UPDATE === '1';

const yamlDocs = (file: string): object[] => parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as object).filter((d) => d !== null);

const scenarios: Array<[name: string, docs: () => object[]]> = [
  ...readdirSync(EXAMPLES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d): [string, () => object[]] => [`example-${d.name}`, () => readdirSync(join(EXAMPLES, d.name)).filter((f) => f.endsWith('.yaml')).sort().flatMap((f) => yamlDocs(join(EXAMPLES, d.name, f)))]),
  ...readdirSync(DIR)
    .filter((f) => f.endsWith('.in.yaml'))
    .map((f): [string, () => object[]] => [f.slice(0, -'.in.yaml'.length), () => yamlDocs(join(DIR, f))]),
].sort((a, b) => (a[0] < b[0] ? -1 : 1));

function view(result: TranslateResult): unknown {
  const { snapshot } = result;
  return {
    external: snapshot.listeners.external.filter((v) => v.name.startsWith('gloo:')),
    ports: snapshot.ports,
    clusters: snapshot.clusters,
    tls: snapshot.tls.map((t) => ({ name: t.name, hosts: t.hosts })),
    functions: snapshot.functions ?? [],
    statuses: (result.objectStatuses ?? []).filter((s) => s.apiVersion.includes('solo.io')),
  };
}

describe('Gloo golden scenarios', () => {
  for (const [name, docs] of scenarios) {
    it(name, () => {
      const { result, rejections } = translateDocs(docs());
      assert.deepEqual(rejections, []);
      const actual = stringify(view(result), { lineWidth: 0, aliasDuplicateObjects: false });
      const outPath = join(DIR, `${name}.out.yaml`);
      if (update) return writeFileSync(outPath, actual);
      assert.ok(existsSync(outPath), `${outPath} is missing; run with UPDATE=1 to create it`);
      assert.equal(actual, readFileSync(outPath, 'utf8'));
    });
  }
});
