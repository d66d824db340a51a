// Golden scenarios of the Gateway API translator: test/gateway-api/golden/<name>.in.yaml ->
// <name>.out.yaml. Each input is read with the real validator (a rejected document shows up under
// `rejected` and keeps its object's last good version), pushed through the Store one state per
// `Step` document, and translated with one cache; the output is the Gateway API part of the
// snapshot (ports, clusters, certificate names and hosts), the Knative virtual hosts when the
// scenario has any, and every object status. `kind: TranslateOptions` sets options.
// Run with UPDATE=1 to rewrite the outputs, then review the YAML diff.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments, stringify } from 'yaml';
import type { Rejection, Sourced } from '../../src/api/types.ts';
import { validateDocument } from '../../src/api/validate.ts';
import type { TranslateResult } from '../../src/snapshot/types.ts';
import type { SourceState } from '../../src/sources/types.ts';
import { Store } from '../../src/store/store.ts';
import { TranslateCache } from '../../src/translate/cache.ts';
import { defaultTranslateOptions, type TranslateOptions } from '../../src/translate/options.ts';
import { translate } from '../../src/translate/translate.ts';

const DIR = join(import.meta.dirname, 'golden');
const update = process.env.UPDATE === '1';

function load(file: string): { steps: SourceState[]; options: TranslateOptions } {
  const docs = parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((d) => d.toJS() as Record<string, unknown> | null);
  const steps: SourceState[] = [];
  let resources: Sourced[] = [];
  let rejections: Rejection[] = [];
  let options = defaultTranslateOptions;
  docs.forEach((doc, index) => {
    if (!doc) return;
    if (doc.kind === 'Step') {
      steps.push({ resources, rejections });
      [resources, rejections] = [[], []];
      return;
    }
    if (doc.kind === 'TranslateOptions') {
      options = { ...defaultTranslateOptions, ...(doc.options as Partial<TranslateOptions>) };
      return;
    }
    const origin = { file, doc: index };
    const out = validateDocument(doc, origin);
    if (out.kind === 'resource') resources.push({ resource: out.resource, origin });
    else if (out.kind === 'rejected') rejections.push(out.rejection);
    else throw new Error(`${file} document ${index}: ${out.apiVersion} ${out.kindName} is not a kind Sluice reads`);
  });
  steps.push({ resources, rejections });
  return { steps, options };
}

function view(result: TranslateResult, rejections: readonly Rejection[]): unknown {
  const { snapshot } = result;
  const knative = snapshot.listeners.external.length + snapshot.listeners.local.length > 0;
  return {
    ...(knative && { listeners: snapshot.listeners }),
    ports: snapshot.ports,
    clusters: snapshot.clusters,
    tls: snapshot.tls.map((t) => ({ name: t.name, hosts: t.hosts })),
    statuses: result.objectStatuses ?? [],
    ...(rejections.length > 0 && { rejected: rejections.map((r) => ({ kind: r.kind, name: r.name, doc: r.origin.doc, errors: r.errors })) }),
  };
}

const scenarios = readdirSync(DIR)
  .filter((f) => f.endsWith('.in.yaml'))
  .sort();

test('there are a dozen Gateway API golden scenarios', () => {
  assert.ok(scenarios.length >= 12, `found only ${scenarios.length} scenarios in ${DIR}`);
});

for (const input of scenarios) {
  const name = input.slice(0, -'.in.yaml'.length);
  test(`gateway-api golden: ${name}`, () => {
    const { steps, options } = load(input);
    const store = new Store();
    const cache = new TranslateCache();
    let result: TranslateResult | undefined;
    for (const step of steps) result = translate(store.update(step), options, cache);
    const last = steps[steps.length - 1] as SourceState;
    const actual = stringify(view(result as TranslateResult, last.rejections), { lineWidth: 0, aliasDuplicateObjects: false });
    // The same input translated from scratch gives the same result (the cache only saves work).
    const fresh = translate(new Store().update({ resources: last.resources, rejections: last.rejections }), options);
    if (last.rejections.length === 0) assert.equal(fresh.snapshot.hash, (result as TranslateResult).snapshot.hash);
    const outPath = join(DIR, `${name}.out.yaml`);
    if (update) {
      writeFileSync(outPath, actual);
      return;
    }
    assert.ok(existsSync(outPath), `${outPath} is missing; run with UPDATE=1 to create it`);
    assert.equal(actual, readFileSync(outPath, 'utf8'));
  });
}
