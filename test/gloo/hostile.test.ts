// Hostile Gloo documents: every example set, mutated at random places into nulls, numbers, strings,
// lists and objects, goes through the real validator and translator without an exception; and an
// object the translator trips on is reported Rejected while the others are still served.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { mulberry32 } from '../support/prng.ts';
import { repoRoot } from '../support/sluice.ts';
import type { Resource } from '../../src/api/types.ts';
import { Store } from '../../src/store/store.ts';
import { defaultTranslateOptions } from '../../src/translate/options.ts';
import { translate } from '../../src/translate/translate.ts';
import { glooHost, glooState, translateDocs, upstream, vs } from './support.ts';

const EXAMPLES = join(repoRoot, 'examples', 'gloo');
const docs: object[] = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(join(EXAMPLES, d.name)).filter((f) => f.endsWith('.yaml')).map((f) => join(EXAMPLES, d.name, f)))
  .flatMap((file) => parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as object));

type Node = Record<string, unknown> | unknown[];
const VALUES: unknown[] = [null, 0, -1, 1.5, '', 'x', '/(', [], [null], {}, { name: null }, true];

/** Every container under `root` (objects and lists), with the keys it holds. */
function containers(root: unknown, out: Node[] = []): Node[] {
  if (root === null || typeof root !== 'object') return out;
  out.push(root as Node);
  for (const v of Object.values(root)) containers(v, out);
  return out;
}

describe('hostile Gloo documents', () => {
  it('never make the translator throw', () => {
    const rand = mulberry32(Number(process.env.SEED ?? 14));
    for (let round = 0; round < Number(process.env.ROUNDS ?? 300); round++) {
      const copy = structuredClone(docs) as object[];
      const gloo = copy.filter((d) => String((d as { apiVersion?: string }).apiVersion).includes('solo.io'));
      for (let k = 0; k < 3; k++) {
        const doc = gloo[Math.floor(rand() * gloo.length)];
        const nodes = containers((doc as { spec?: unknown }).spec);
        const node = nodes[Math.floor(rand() * nodes.length)];
        if (node === undefined) continue;
        const keys = Object.keys(node);
        const key = keys[Math.floor(rand() * keys.length)];
        if (key !== undefined) (node as Record<string, unknown>)[key] = structuredClone(VALUES[Math.floor(rand() * VALUES.length)]);
      }
      assert.doesNotThrow(() => translateDocs(copy), `round ${round}`);
    }
  });

  it('reports an object the translator trips on, and serves the others', () => {
    const spec = { kube: { serviceName: 'x', servicePort: 80 } };
    Object.defineProperty(spec, 'static', { enumerable: true, get: () => { throw new Error('cannot be read'); } });
    // Validation reads every field, so an object it passes never throws; this one skips it.
    const set = new Store().update({
      resources: [
        upstream('odd', spec),
        vs('bad', { virtualHost: { domains: ['bad.example.com'], routes: [{ routeAction: { single: { upstream: { name: 'odd' } } } }] } }),
        vs('good', { virtualHost: { domains: ['good.example.com'], routes: [{ directResponseAction: { status: 200 } }] } }),
      ].map((o) => ({ resource: o as Resource, origin: { file: 'x.yaml', doc: 0 } })),
      rejections: [],
    });
    const result = translate(set, defaultTranslateOptions);
    assert.equal(glooState(result, 'Upstream', 'odd').state, 'Rejected');
    assert.equal(glooHost(result, 'good').routes.length, 1);
  });
});
