// Golden scenarios: test/fixtures/translate/<name>.in.yaml -> <name>.out.yaml. Each input is pushed
// through the Store (one state per `Step`) and translated with one cache; the output is the snapshot content
// (certificate and key material left out), the statuses and the diagnostics of the last step.
// Run with UPDATE_GOLDEN=1 to rewrite the outputs, then review the YAML diff.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { Store } from '../../src/store/store.ts';
import { TranslateCache } from '../../src/translate/cache.ts';
import { translate } from '../../src/translate/translate.ts';
import type { TranslateResult } from '../../src/snapshot/types.ts';
import { loadScenario } from './scenario.ts';

const DIR = join(import.meta.dirname, '../fixtures/translate');
const update = process.env.UPDATE_GOLDEN === '1';

export function goldenView(result: TranslateResult): unknown {
  const { snapshot, statuses, diagnostics } = result;
  return {
    snapshot: { ...snapshot, tls: snapshot.tls.map((t) => ({ name: t.name, hosts: t.hosts })) },
    statuses,
    diagnostics,
  };
}

const scenarios = readdirSync(DIR)
  .filter((f) => f.endsWith('.in.yaml'))
  .sort();

test('there are golden scenarios', () => {
  assert.ok(scenarios.length >= 13, `found only ${scenarios.length} scenarios in ${DIR}`);
});

for (const input of scenarios) {
  const name = input.slice(0, -'.in.yaml'.length);
  test(`golden: ${name}`, () => {
    const { steps, options } = loadScenario(join(DIR, input));
    const store = new Store();
    // One cache across the steps, as the pipeline keeps one: it remembers which version is served.
    const cache = new TranslateCache();
    let result: TranslateResult | undefined;
    for (const step of steps) result = translate(store.update(step), options, cache);
    const actual = stringify(goldenView(result as TranslateResult), { lineWidth: 0, aliasDuplicateObjects: false });
    const outPath = join(DIR, `${name}.out.yaml`);
    if (update) {
      writeFileSync(outPath, actual);
      return;
    }
    assert.ok(existsSync(outPath), `${outPath} is missing; run with UPDATE_GOLDEN=1 to create it`);
    assert.equal(actual, readFileSync(outPath, 'utf8'));
  });
}
